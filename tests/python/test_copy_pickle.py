"""copy.copy, copy.deepcopy and pickle, with the sharing rules of dataclasses."""

import copy
import pickle
from typing import ClassVar, Optional

import pytest

import typehost
from typehost import Object, field, py_class


@py_class("tests.copy_pickle.Point")
class Point(Object):
    x: float
    y: float = 0.0


@py_class("tests.copy_pickle.Shape")
class Shape(Object):
    origin: Point
    points: list[Point] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    note: str = ""


@py_class("tests.copy_pickle.Node")
class Node(Object):
    value: int
    next: Optional["Node"] = None


@py_class("tests.copy_pickle.Frozen", frozen=True)
class Frozen(Object):
    x: int
    tags: tuple[str, ...] = ()


@py_class("tests.copy_pickle.Counted")
class Counted(Object):
    calls: ClassVar[list] = []
    x: int

    def __post_init__(self):
        self.calls.append(self.x)


def sample() -> Shape:
    return Shape(Point(1, 2), [Point(3, 4)], {"a": 1}, "n")


def test_copy_makes_a_new_equal_object():
    s = sample()
    c = copy.copy(s)
    assert c == s and c is not s
    assert type(c) is Shape


def test_copy_shares_nested_objects_and_containers():
    s = sample()
    c = copy.copy(s)
    assert c.origin is s.origin
    s.points.append(Point(5))
    s.names["b"] = 2
    assert c.points == s.points and len(c.points) == 2
    assert c.names == {"a": 1, "b": 2}


def test_copy_fields_are_independent_afterwards():
    s = sample()
    c = copy.copy(s)
    c.note = "changed"
    c.origin = Point(0)
    assert s.note == "n" and s.origin == Point(1, 2)


def test_deepcopy_copies_nested_objects_and_containers():
    s = sample()
    d = copy.deepcopy(s)
    assert d == s
    assert d.origin is not s.origin and d.origin == s.origin
    s.points.append(Point(5))
    s.points[0].x = 9.0
    assert len(d.points) == 1 and d.points[0].x == 3.0


def test_deepcopy_honours_the_memo_for_shared_objects():
    p = Point(1)
    s = Shape(p, [p, p])
    d = copy.deepcopy(s)
    assert d.origin is d.points[0] is d.points[1]
    assert d.origin is not p


def test_deepcopy_with_an_explicit_memo_returns_the_memoized_copy():
    s = sample()
    memo = {}
    first = copy.deepcopy(s, memo)
    assert copy.deepcopy(s, memo) is first
    assert copy.deepcopy(s.origin, memo) is first.origin


def test_deepcopy_of_a_cycle_keeps_the_cycle():
    a = Node(1)
    a.next = Node(2, a)
    d = copy.deepcopy(a)
    assert d is not a and d.next is not a.next
    assert d.next.next is d
    assert (d.value, d.next.value) == (1, 2)


def test_copy_of_frozen_object_works():
    f = Frozen(1, ("a",))
    assert copy.copy(f) == f
    assert copy.deepcopy(f) == f
    assert hash(copy.deepcopy(f)) == hash(f)


def test_copy_keeps_unset_fields_unset(key):
    @py_class(key)
    class Partial(Object):
        a: int
        b: int = field(init=False)

    c = copy.copy(Partial(1))
    assert c.a == 1
    with pytest.raises(AttributeError, match="'b'"):
        c.b


def test_pickle_round_trip_gives_an_equal_object():
    s = sample()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        r = pickle.loads(pickle.dumps(s, protocol))
        assert r == s and type(r) is Shape
        assert typehost.type_info(r).key == "tests.copy_pickle.Shape"


def test_pickle_round_trip_of_a_cycle():
    a = Node(1)
    a.next = Node(2, a)
    r = pickle.loads(pickle.dumps(a))
    assert r.next.next is r
    assert (r.value, r.next.value) == (1, 2)


def test_pickle_keeps_shared_objects_shared():
    p = Point(1)
    r = pickle.loads(pickle.dumps(Shape(p, [p])))
    assert r.origin is r.points[0]


def test_pickle_of_frozen_object():
    f = Frozen(3, ("x", "y"))
    r = pickle.loads(pickle.dumps(f))
    assert r == f and r.tags == ("x", "y")


def test_pickle_does_not_run_init_or_post_init():
    # As for dataclasses: unpickling and copying restore the state without calling __init__.
    c = Counted(1)
    pickle.loads(pickle.dumps(c))
    copy.copy(c)
    copy.deepcopy(c)
    assert Counted.calls == [1]


def test_pickle_of_a_container_view_gives_a_plain_list_and_dict():
    s = sample()
    assert pickle.loads(pickle.dumps(s.points)) == [Point(3, 4)]
    assert type(pickle.loads(pickle.dumps(s.names))) is dict
