"""frozen=True: assignment and deletion raise dataclasses.FrozenInstanceError."""

import dataclasses

import pytest

import typehost
from typehost import FrozenInstanceError, Object, RegistrationError, field, py_class


def test_frozen_instance_error_is_the_dataclasses_one():
    assert FrozenInstanceError is dataclasses.FrozenInstanceError
    assert issubclass(FrozenInstanceError, AttributeError)


def test_assigning_a_field_of_a_frozen_object_raises(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float

    p = Point(1.0)
    with pytest.raises(FrozenInstanceError) as info:
        p.x = 2.0
    assert str(info.value) == "cannot assign to field 'x'"
    assert p.x == 1.0


def test_assigning_an_unknown_attribute_of_a_frozen_object_raises_frozen_error(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float

    with pytest.raises(FrozenInstanceError) as info:
        Point(1.0).z = 2.0
    assert str(info.value) == "cannot assign to field 'z'"


def test_deleting_a_field_of_a_frozen_object_raises(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float

    with pytest.raises(FrozenInstanceError) as info:
        del Point(1.0).x
    assert str(info.value) == "cannot delete field 'x'"


def test_object_setattr_in_post_init_sets_a_frozen_field(key):
    @py_class(key, frozen=True)
    class Span(Object):
        start: int
        end: int
        length: int = field(init=False, default=0)

        def __post_init__(self):
            object.__setattr__(self, "length", self.end - self.start)

    s = Span(2, 5)
    assert s.length == 3
    assert hash(s) == hash((2, 5, 3))


def test_object_setattr_on_a_frozen_object_still_validates(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float

    p = Point(1.0)
    with pytest.raises(TypeError) as info:
        object.__setattr__(p, "x", "a")
    assert str(info.value) == f"{key}.x: expected float, got str"


def test_frozen_containers_are_still_views(key):
    # As in dataclasses, frozen protects the fields, not the objects they hold.
    @py_class(key, frozen=True)
    class Bag(Object):
        items: list[int] = field(default_factory=list)

    b = Bag()
    b.items.append(1)
    assert b.items == [1]


def test_frozen_is_reported_by_type_info(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float

    assert typehost.type_info(Point).frozen is True


def test_frozen_class_refuses_user_written_setattr(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key, frozen=True)
        class Bad(Object):
            x: int

            def __setattr__(self, name, value):
                pass

    assert str(info.value) == "Cannot overwrite attribute __setattr__ in class Bad"
    assert key not in typehost.type_keys()


def test_non_frozen_class_cannot_inherit_from_frozen(new_key):
    @py_class(new_key(), frozen=True)
    class Base(Object):
        x: int

    with pytest.raises(RegistrationError) as info:
        @py_class(new_key())
        class Derived(Base):
            y: int = 0

    assert str(info.value) == "cannot inherit non-frozen dataclass from a frozen one"


def test_frozen_class_cannot_inherit_from_non_frozen(new_key):
    @py_class(new_key())
    class Base(Object):
        x: int

    with pytest.raises(RegistrationError) as info:
        @py_class(new_key(), frozen=True)
        class Derived(Base):
            y: int = 0

    assert str(info.value) == "cannot inherit frozen dataclass from a non-frozen one"
