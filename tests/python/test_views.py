"""typehost.List and typehost.Dict: live views on C++ containers that validate every write."""

import copy
from collections.abc import MutableMapping, MutableSequence

import pytest

import typehost
from typehost import Object, field, py_class

KEY = "tests.views.Bag"


@py_class(KEY)
class Bag(Object):
    tags: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    by_id: dict[int, str] = field(default_factory=dict)
    grid: list[list[int]] = field(default_factory=list)
    nested: dict[str, list[int]] = field(default_factory=dict)
    anything: list = field(default_factory=list)


def test_list_field_reads_as_a_typehost_list_and_mutable_sequence():
    b = Bag(["a"])
    assert type(b.tags) is typehost.List
    assert isinstance(b.tags, MutableSequence)
    assert b.tags.schema == "list[str]"


def test_dict_field_reads_as_a_typehost_dict_and_mutable_mapping():
    b = Bag(counts={"a": 1})
    assert type(b.counts) is typehost.Dict
    assert isinstance(b.counts, MutableMapping)
    assert b.counts.schema == "dict[str, int]"


def test_views_compare_equal_to_plain_containers():
    b = Bag(["a", "b"], {"x": 1})
    assert b.tags == ["a", "b"] and ["a", "b"] == b.tags
    assert b.tags != ["b", "a"]
    assert b.counts == {"x": 1} and {"x": 1} == b.counts
    assert b.tags == Bag(["a", "b"]).tags


def test_views_are_live():
    b = Bag()
    tags = b.tags
    b.tags.append("a")
    assert tags == ["a"]
    tags.append("b")
    assert b.tags == ["a", "b"]
    b.tags = ["z"]           # a new list: the old view keeps showing the old one
    assert tags == ["a", "b"] and b.tags == ["z"]


def test_each_read_may_be_a_new_view_of_the_same_container():
    b = Bag(["a"])
    first, second = b.tags, b.tags
    first.append("b")
    assert second == ["a", "b"]


def test_append_of_a_wrong_type_raises_naming_the_path_and_changes_nothing():
    b = Bag(["a", "b"])
    with pytest.raises(TypeError) as info:
        b.tags.append(1)
    assert str(info.value) == f"{KEY}.tags[2]: expected str, got int"
    assert b.tags == ["a", "b"]


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t.insert(0, 1), "tags[0]: expected str, got int"),
    (lambda t: t.__setitem__(1, 2), "tags[1]: expected str, got int"),
    (lambda t: t.extend(["c", 3]), "tags[3]: expected str, got int"),
    (lambda t: t.__iadd__(["c", None]), "tags[3]: expected str, got None"),
    (lambda t: t.__setitem__(slice(0, 1), ["x", 4]), "tags[1]: expected str, got int"),
])
def test_failed_list_mutation_leaves_the_list_unchanged(mutate, message):
    b = Bag(["a", "b"])
    with pytest.raises(TypeError) as info:
        mutate(b.tags)
    assert str(info.value) == f"{KEY}.{message}"
    assert b.tags == ["a", "b"]


def test_list_supports_the_mutable_sequence_methods():
    b = Bag(["c", "a", "b"])
    t = b.tags
    t.sort()
    assert t == ["a", "b", "c"]
    t.reverse()
    assert t == ["c", "b", "a"]
    assert t.pop() == "a" and t.pop(0) == "c"
    t.extend(["x", "y"])
    t.remove("x")
    t.insert(-1, "w")
    assert t == ["b", "w", "y"]
    assert (t.index("w"), t.count("b"), len(t), "y" in t, "q" in t) == (1, 1, 3, True, False)
    assert t[-1] == "y" and t[0:2] == ["b", "w"]
    del t[0]
    t += ["z"]
    assert b.tags == ["w", "y", "z"]
    t.clear()
    assert b.tags == [] and not b.tags


def test_list_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError, match="list index out of range"):
        Bag().tags[0]


def test_list_plus_and_times_give_plain_lists():
    t = Bag(["a"]).tags
    assert t + ["b"] == ["a", "b"] and type(t + ["b"]) is list
    assert ["z"] + t == ["z", "a"]
    assert t * 2 == ["a", "a"] and 2 * t == ["a", "a"]


def test_views_are_unhashable():
    with pytest.raises(TypeError, match="unhashable type: 'List'"):
        hash(Bag().tags)
    with pytest.raises(TypeError, match="unhashable type: 'Dict'"):
        hash(Bag().counts)


def test_dict_set_of_a_wrong_value_raises_naming_the_key():
    b = Bag(counts={"a": 1})
    with pytest.raises(TypeError) as info:
        b.counts["b"] = "x"
    assert str(info.value) == f"{KEY}.counts['b']: expected int, got str"
    assert b.counts == {"a": 1}


def test_dict_key_of_the_wrong_type_raises():
    b = Bag()
    with pytest.raises(TypeError) as info:
        b.counts[1] = 1
    assert str(info.value) == f"{KEY}.counts: expected str dict keys, got int"
    with pytest.raises(TypeError) as info:
        b.by_id["1"] = "a"
    assert str(info.value) == f"{KEY}.by_id: expected int dict keys, got str"


@pytest.mark.parametrize("mutate", [
    lambda d: d.update({"b": 2, "c": "x"}),
    lambda d: d.update(b=2, c="x"),
    lambda d: d.update([("b", 2), ("c", "x")]),
    lambda d: d.__ior__({"b": 2, "c": "x"}),
    lambda d: d.update({"b": 2, 3: 3}),
])
def test_failed_dict_update_leaves_the_dict_unchanged(mutate):
    b = Bag(counts={"a": 1})
    with pytest.raises(TypeError):
        mutate(b.counts)
    assert b.counts == {"a": 1}


def test_dict_supports_the_mutable_mapping_methods():
    b = Bag(counts={"a": 1})
    d = b.counts
    d["b"] = 2
    d.update({"c": 3}, d=4)
    assert list(d) == ["a", "b", "c", "d"]
    assert list(d.items())[:2] == [("a", 1), ("b", 2)]
    assert (d.get("a"), d.get("zz"), d.get("zz", 0), "a" in d, 1 in d) == (1, None, 0, True, False)
    assert d.pop("a") == 1 and d.pop("zz", None) is None
    assert d.setdefault("e", 5) == 5 and d.setdefault("e", 6) == 5
    assert d.popitem() == ("e", 5)
    del d["b"]
    assert b.counts == {"c": 3, "d": 4}
    assert d | {"z": 0} == {"c": 3, "d": 4, "z": 0}
    d |= {"z": 0}
    assert b.counts == {"c": 3, "d": 4, "z": 0}
    d.clear()
    assert b.counts == {}


def test_dict_missing_key_raises_key_error():
    with pytest.raises(KeyError):
        Bag().counts["nope"]


def test_int_keyed_dict_keeps_int_keys():
    b = Bag(by_id={2: "b", 1: "a"})
    assert list(b.by_id) == [2, 1]
    assert b.by_id[1] == "a"


def test_nested_containers_are_live_views_whose_errors_name_the_full_path():
    b = Bag(grid=[[1, 2]], nested={"k": [1]})
    row = b.grid[0]
    assert type(row) is typehost.List
    row.append(3)
    assert b.grid == [[1, 2, 3]]
    with pytest.raises(TypeError) as info:
        b.grid[0].append("x")
    assert str(info.value) == f"{KEY}.grid[0][3]: expected int, got str"
    with pytest.raises(TypeError) as info:
        b.nested["k"].append("x")
    assert str(info.value) == f"{KEY}.nested['k'][1]: expected int, got str"
    with pytest.raises(TypeError) as info:
        [r for r in b.grid][0].insert(0, None)
    assert str(info.value) == f"{KEY}.grid[0][0]: expected int, got None"


def test_assigning_a_view_shares_the_container():
    a, b = Bag(["x"]), Bag()
    b.tags = a.tags
    a.tags.append("y")
    assert b.tags == ["x", "y"]


def test_assigning_a_plain_list_copies_it_into_storage():
    # Documented difference from dataclasses: the field holds a C++ list, not the Python one.
    plain = ["x"]
    b = Bag(plain)
    plain.append("y")
    assert b.tags == ["x"]
    assert b.tags is not plain


def test_list_of_any_holds_nested_values_and_itself():
    b = Bag()
    b.anything.extend([1, "s", None, [2, {"k": 3.5}]])
    assert b.anything == [1, "s", None, [2, {"k": 3.5}]]
    with pytest.raises(TypeError) as info:
        b.anything.append({1, 2})
    assert str(info.value) == f"{KEY}.anything[4]: expected a value typehost can hold, got set"


def test_copy_of_a_view_is_a_plain_container():
    b = Bag(["a"], {"k": 1})
    assert type(copy.copy(b.tags)) is list and copy.copy(b.tags) == ["a"]
    assert type(b.counts.copy()) is dict
    assert copy.deepcopy(b.grid) == []


def test_repr_of_views_looks_like_plain_containers():
    b = Bag(["a"], {"k": 1})
    assert (repr(b.tags), repr(b.counts)) == ("['a']", "{'k': 1}")


def test_views_cannot_be_made_directly():
    with pytest.raises(TypeError, match="cannot create"):
        typehost.List()


def test_dict_popitem_is_last_in_first_out_like_dict():
    d = Bag(counts={"a": 1, "b": 2}).counts
    assert d.popitem() == ("b", 2)
    assert list(reversed(Bag(counts={"a": 1, "b": 2}).counts)) == ["b", "a"]
    d.clear()
    with pytest.raises(KeyError, match="popitem"):
        d.popitem()
