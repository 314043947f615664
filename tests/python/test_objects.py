"""Objects as Python users expect them: identity of object fields, super(), unset fields, no
instance __dict__."""

from typing import Optional

import pytest

import typehost
from typehost import Object, field, py_class


@py_class("tests.objects.Point")
class Point(Object):
    x: float = 0.0
    y: float = 0.0


@py_class("tests.objects.Line")
class Line(Object):
    start: Point
    end: Optional[Point] = None
    points: list[Point] = field(default_factory=list)


def test_reading_an_object_field_returns_the_same_object_every_time():
    line = Line(Point(1))
    assert line.start is line.start
    first = line.start
    assert line.start is first


def test_assigned_object_is_the_object_read_back():
    p = Point(1)
    line = Line(Point())
    line.start = p
    q = line.start
    assert p is q
    p.x = 5.0
    assert line.start.x == 5.0


def test_objects_in_containers_keep_their_identity():
    p = Point(1)
    line = Line(p, points=[p])
    assert line.points[0] is p and line.start is p
    assert line.points[0] is line.points[0]


def test_object_created_inside_storage_keeps_one_wrapper_while_referenced():
    line = typehost.from_json('{"$type":"tests.objects.Line","start":{"x":1}}')
    s = line.start
    assert line.start is s


def test_unknown_attribute_cannot_be_set():
    with pytest.raises(AttributeError) as info:
        Point().z = 1
    assert str(info.value) == "'Point' object has no attribute 'z'"


def test_objects_have_no_instance_dict():
    with pytest.raises(AttributeError):
        Point().__dict__
    assert not hasattr(Point(), "__dict__")


def test_field_never_set_raises_attribute_error_naming_the_field(key):
    @py_class(key)
    class Partial(Object):
        a: int
        b: int = field(init=False)

    p = Partial(1)
    with pytest.raises(AttributeError) as info:
        p.b
    assert str(info.value) == "'Partial' object has no attribute 'b'"
    p.b = 2
    assert p.b == 2


def test_field_skipped_by_a_user_init_is_unset(key):
    @py_class(key)
    class Lazy(Object):
        a: int
        b: str

        def __init__(self, a):
            self.a = a

    with pytest.raises(AttributeError, match="'Lazy' object has no attribute 'b'"):
        Lazy(1).b


def test_deleting_a_field_unsets_it(key):
    @py_class(key)
    class Thing(Object):
        a: int

    t = Thing(1)
    del t.a
    with pytest.raises(AttributeError, match="has no attribute 'a'"):
        t.a
    with pytest.raises(AttributeError, match="has no attribute 'a'"):
        del t.a


def test_zero_argument_super_works_in_methods(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

        def name(self):
            return "base"

        @classmethod
        def kind(cls):
            return "base-kind"

    @py_class(new_key())
    class Derived(Base):
        b: int = 0

        def name(self):
            return "derived/" + super().name()

        @classmethod
        def kind(cls):
            return "derived/" + super().kind()

        def __repr__(self):
            return "<" + super().__repr__() + ">"

    d = Derived(1, 2)
    assert d.name() == "derived/base"
    assert Derived.kind() == "derived/base-kind"
    assert repr(d) == f"<{Derived.__qualname__}(a=1, b=2)>"


def test_super_init_from_an_init_false_subclass(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int
        tags: list[str] = field(default_factory=list)

    @py_class(new_key(), init=False)
    class Derived(Base):
        b: int = 0

        def __init__(self, a, b):
            super().__init__(a)
            self.b = b

    d = Derived(1, 2)
    assert (d.a, d.tags, d.b) == (1, [], 2)


def test_super_in_post_init(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int
        log: list[str] = field(default_factory=list)

        def __post_init__(self):
            self.log.append("base")

    @py_class(new_key())
    class Derived(Base):
        def __post_init__(self):
            super().__post_init__()
            self.log.append("derived")

    assert Derived(1).log == ["base", "derived"]


def test_class_cell_of_methods_is_the_decorated_class(key):
    @py_class(key)
    class Cell(Object):
        a: int

        def cls(self):
            return __class__

    assert Cell(1).cls() is Cell


def test_user_written_dunders_are_kept(key):
    @py_class(key)
    class Money(Object):
        cents: int

        def __str__(self):
            return f"{self.cents / 100:.2f}"

        def __add__(self, other):
            return Money(self.cents + other.cents)

    assert str(Money(150) + Money(25)) == "1.75"


def test_object_cannot_be_instantiated_directly():
    with pytest.raises(TypeError, match="typehost.Object cannot be instantiated"):
        Object()


def test_undecorated_object_subclass_cannot_be_instantiated():
    class NotRegistered(Object):
        x: int

    with pytest.raises(TypeError, match="is not a registered type; decorate it with @py_class"):
        NotRegistered()


@py_class("tests.objects.Label")
class Label(Object):
    text: str
    size: int = 1


class SubPoint(Point):
    """Undecorated: same fields and storage as Point."""


def test_class_assignment_to_a_class_with_other_fields_is_refused():
    p = Point(1.0, 2.0)
    for target in (Label, int):
        with pytest.raises(TypeError, match=f"__class__ assignment: '{target.__name__}' object layout differs from 'Point'"):
            p.__class__ = target
    assert type(p) is Point and (p.x, p.y) == (1.0, 2.0)


def test_class_assignment_to_an_undecorated_subclass_keeps_the_fields():
    p = Point(1.0, 2.0)
    p.__class__ = SubPoint
    assert type(p) is SubPoint and isinstance(p, Point)
    assert (p.x, p.y) == (1.0, 2.0)
    p.__class__ = Point
    assert p == Point(1.0, 2.0)
