"""A list or dict field returns the same view while it holds the same container, as a
dataclass field returns the list it holds; a str field returns the str it was given."""

import gc

import pytest

from typehost import Object, field, py_class


@pytest.fixture
def Bag(key):
    @py_class(key)
    class Bag(Object):
        name: str = ""
        tags: list[str] = field(default_factory=list)
        d: dict[str, int] = field(default_factory=dict)
        grid: list[list[int]] = field(default_factory=list)

    return Bag


def test_a_container_field_returns_the_same_view(Bag):
    b = Bag(tags=["a"], d={"k": 1})
    assert b.tags is b.tags
    assert b.d is b.d
    v = b.tags
    del v
    gc.collect()
    assert b.tags is b.tags


def test_the_view_survives_gc_collect_and_keeps_its_list(Bag):
    b = Bag(tags=["a"])
    first = id(b.tags)
    gc.collect()
    assert id(b.tags) == first
    assert b.tags == ["a"]


def test_assigning_the_field_gives_a_new_view_and_the_old_one_keeps_the_old_list(Bag):
    b = Bag(tags=["a"])
    old = b.tags
    b.tags = ["x", "y"]
    assert b.tags is not old
    assert b.tags == ["x", "y"]
    assert old == ["a"]          # as a plain list held elsewhere stays what it was
    old.append("b")
    assert b.tags == ["x", "y"]
    assert b.tags is b.tags


def test_two_fields_sharing_a_list_are_one_list(Bag):
    b = Bag(tags=["a"])
    c = Bag(tags=b.tags)         # shared, as `c.tags = b.tags` shares a plain list
    c.tags.append("b")
    assert b.tags == ["a", "b"]
    assert b.tags is b.tags and c.tags is c.tags


def test_a_str_field_returns_the_str_it_was_given(Bag):
    s = "".join(["not", " interned"])
    b = Bag(name=s)
    assert b.name is s
    assert b.name is b.name


def test_a_view_outlives_its_instance(Bag):
    b = Bag(tags=["a"])
    v = b.tags
    del b
    gc.collect()
    assert v == ["a"]            # the view keeps its list, as a plain list would
    v.append("b")
    assert list(v) == ["a", "b"]


def test_nested_views_read_the_current_element(Bag):
    b = Bag(grid=[[1], [2]])
    row = b.grid[0]
    b.grid[0] = [9]
    assert b.grid[0] == [9]
    assert row == [1]
