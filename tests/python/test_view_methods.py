"""Every view method against the same operation on a plain list or dict: the same result, the
same exception type and message, the same contents afterwards (the C paths of #15)."""

import pytest

from typehost import Object, field, py_class


@pytest.fixture
def views(key):
    @py_class(key)
    class Bag(Object):
        ints: list[int] = field(default_factory=list)
        strs: list[str] = field(default_factory=list)
        d: dict[str, int] = field(default_factory=dict)

    return Bag


def outcome(fn, target):
    try:
        result = fn(target)
    except Exception as exc:   # noqa: BLE001 - the comparison is the point
        return ("raised", type(exc), str(exc))
    if hasattr(result, "__iter__") and not isinstance(result, (str, bytes, dict, list, tuple)):
        result = list(result)
    return ("ok", result)


LIST_OPS = [
    ("len", lambda v: len(v)),
    ("index get", lambda v: v[1]),
    ("negative index", lambda v: v[-1]),
    ("index out of range", lambda v: v[10]),
    ("slice", lambda v: v[1:3]),
    ("contains", lambda v: 3 in v),
    ("contains absent", lambda v: 99 in v),
    ("contains other type", lambda v: "3" in v),
    ("pop", lambda v: v.pop()),
    ("pop index", lambda v: v.pop(0)),
    ("pop negative", lambda v: v.pop(-2)),
    ("pop out of range", lambda v: v.pop(10)),
    ("pop huge", lambda v: v.pop(2**100)),
    ("pop not an int", lambda v: v.pop("1")),
    ("pop two args", lambda v: v.pop(1, 2)),
    ("index", lambda v: v.index(3)),
    ("index absent", lambda v: v.index(99)),
    ("index from start", lambda v: v.index(3, 3)),
    ("index before stop", lambda v: v.index(3, 0, 2)),
    ("index negative bounds", lambda v: v.index(2, -3, -1)),
    ("index no args", lambda v: v.index()),
    ("count", lambda v: v.count(3)),
    ("remove", lambda v: v.remove(3)),
    ("remove absent", lambda v: v.remove(99)),
    ("append", lambda v: v.append(7)),
    ("insert", lambda v: v.insert(1, 8)),
    ("extend", lambda v: v.extend([4, 5])),
    ("reverse", lambda v: v.reverse()),
    ("sort", lambda v: v.sort(reverse=True)),
    ("clear", lambda v: v.clear()),
    ("iterate", lambda v: [x * 2 for x in v]),
    ("reversed", lambda v: list(reversed(v))),
    ("sum", lambda v: sum(v)),
    ("== equal", lambda v: v == [1, 2, 3, 3]),
    ("== unequal", lambda v: v == [1, 2]),
    ("!=", lambda v: v != [1, 2, 3, 3]),
    ("del item", lambda v: v.__delitem__(0)),
    ("set item", lambda v: v.__setitem__(0, 5)),
]


@pytest.mark.parametrize("name, op", LIST_OPS, ids=[n for n, _ in LIST_OPS])
def test_list_view_behaves_as_a_list(views, name, op):
    b = views(ints=[1, 2, 3, 3])
    plain = [1, 2, 3, 3]
    assert outcome(op, b.ints) == outcome(op, plain)
    assert list(b.ints) == plain


def test_pop_on_an_empty_view_is_the_list_error(views):
    b = views()
    with pytest.raises(IndexError, match="^pop from empty list$"):
        b.ints.pop()


def test_equality_of_two_views_and_of_a_view_with_itself(views):
    a, c = views(strs=["x", "y"]), views(strs=["x", "y"])
    assert a.strs == c.strs and not (a.strs != c.strs)
    c.strs.append("z")
    assert a.strs != c.strs
    assert a.strs == a.strs
    assert views(ints=[1, 2]).ints == views(ints=[1, 2]).ints
    assert views(ints=[1, 2]).ints != views(ints=[2, 1]).ints
    assert (views(ints=[1]).ints == views(strs=["1"]).strs) is False


def test_a_str_in_a_str_list_including_text_that_is_not_utf8(views):
    b = views(strs=["a", "é", "b"])
    assert "é" in b.strs and "e" not in b.strs
    assert "\ud800" not in b.strs
    assert 1 not in b.strs


def test_iteration_sees_the_list_as_it_was_when_it_started(views):
    b = views(ints=[1, 2, 3])
    seen = []
    for x in b.ints:
        seen.append(x)
        if x == 1:
            b.ints.append(4)    # a plain list would yield 4 too; the view yields its snapshot
    assert seen == [1, 2, 3]
    assert list(b.ints) == [1, 2, 3, 4]
    it = iter(b.ints)
    assert it.__length_hint__() == 4
    next(it)
    assert it.__length_hint__() == 3


DICT_OPS = [
    ("len", lambda d: len(d)),
    ("getitem", lambda d: d["a"]),
    ("getitem absent", lambda d: d["zz"]),
    ("getitem wrong type", lambda d: d[1]),
    ("get", lambda d: d.get("a")),
    ("get absent", lambda d: d.get("zz")),
    ("get default", lambda d: d.get("zz", 5)),
    ("get wrong type", lambda d: d.get(1, "no")),
    ("get no args", lambda d: d.get()),
    ("get three args", lambda d: d.get(1, 2, 3)),
    ("contains", lambda d: "a" in d),
    ("contains absent", lambda d: "zz" in d),
    ("contains wrong type", lambda d: 1 in d),
    ("keys", lambda d: list(d.keys())),
    ("values", lambda d: list(d.values())),
    ("items", lambda d: list(d.items())),
    ("pop", lambda d: d.pop("a")),
    ("pop absent", lambda d: d.pop("zz")),
    ("pop default", lambda d: d.pop("zz", 0)),
    ("popitem", lambda d: d.popitem()),
    ("setdefault present", lambda d: d.setdefault("a", 9)),
    ("setdefault absent", lambda d: d.setdefault("c", 9)),
    ("update", lambda d: d.update({"c": 3})),
    ("del", lambda d: d.__delitem__("a")),
    ("del absent", lambda d: d.__delitem__("zz")),
    ("== equal", lambda d: d == {"a": 1, "b": 2}),
    ("== unequal", lambda d: d == {"a": 1}),
    ("iterate", lambda d: [k for k in d]),
]


@pytest.mark.parametrize("name, op", DICT_OPS, ids=[n for n, _ in DICT_OPS])
def test_dict_view_behaves_as_a_dict(views, name, op):
    b = views(d={"a": 1, "b": 2})
    plain = {"a": 1, "b": 2}
    assert outcome(op, b.d) == outcome(op, plain)
    assert dict(b.d) == plain


def test_an_enum_element_reads_as_its_member_not_its_stored_str(key):
    import enum

    class Color(enum.Enum):
        RED = "red"
        BLUE = "blue"

    @py_class(key)
    class Palette(Object):
        colors: list[Color] = field(default_factory=list)
        anything: list = field(default_factory=list)

    p = Palette(colors=[Color.RED, Color.BLUE], anything=["x", 1])
    assert p.colors[0] is Color.RED and p.colors[-1] is Color.BLUE
    assert list(p.colors) == [Color.RED, Color.BLUE]
    assert p.anything[0] == "x" and p.anything[-1] == 1


class Clearing:
    """A value whose == empties the list being searched (or replaces the field holding it) and
    collects: the C paths must hold what they compare and stop cleanly."""

    def __init__(self, target, replace=False):
        self.target, self.replace = target, replace

    def __eq__(self, other):
        owner, name = self.target
        if self.replace:
            setattr(owner, name, [])
        else:
            getattr(owner, name).clear()
        import gc
        gc.collect()
        return False

    __hash__ = None


class Holder:
    pass


@pytest.mark.parametrize("replace", [False, True], ids=["clear", "replace the field"])
@pytest.mark.parametrize("op", ["in", "index", "count", "remove"])
def test_a_comparison_that_mutates_the_list_mid_search(key, op, replace):
    @py_class(key)
    class Box(Object):
        items: list = field(default_factory=list)

    box = Box(items=[1, 2, 3])
    view = box.items
    plain_owner = Holder()
    plain_owner.items = [1, 2, 3]
    plain = plain_owner.items
    ops = {"in": lambda v, x: x in v, "index": lambda v, x: v.index(x), "count": lambda v, x: v.count(x),
           "remove": lambda v, x: v.remove(x)}
    got = outcome(lambda v: ops[op](v, Clearing((box, "items"), replace)), view)
    want = outcome(lambda v: ops[op](v, Clearing((plain_owner, "items"), replace)), plain)
    # the same result or exception type; a message may name the needle by its repr (an address)
    assert got[:2] == want[:2]
    if got[0] == "raised":
        assert got[2].split(" ")[-3:] == want[2].split(" ")[-3:]
    assert list(view) == list(plain)
    assert box.items is box.items


def test_a_field_replaced_while_its_view_is_iterated(key):
    @py_class(key)
    class Box(Object):
        items: list[int] = field(default_factory=list)

    box = Box(items=[1, 2, 3])
    seen = []
    for x in box.items:
        box.items = [9]
        import gc
        gc.collect()
        seen.append(x)
    assert seen == [1, 2, 3] and box.items == [9]
