"""Registering classes with @py_class: keys, forms, rollback and redefinition."""

import pytest

import typehost
from typehost import Object, RegistrationError, py_class


def test_bare_decorator_uses_module_and_qualname():
    @py_class
    class Point(Object):
        x: float

    assert typehost.type_info(Point).key == \
        f"{__name__}.test_bare_decorator_uses_module_and_qualname.<locals>.Point"


def test_explicit_key_form(key):
    @py_class(key)
    class Point(Object):
        x: float

    info = typehost.type_info(Point)
    assert info.key == key
    assert info.origin == "python"
    assert info.plugin is None
    assert [f.name for f in info.fields] == ["x"]
    assert key in typehost.type_keys()


def test_keyword_form_with_options(key):
    @py_class(type_key=key, frozen=True)
    class Point(Object):
        x: float

    with pytest.raises(typehost.FrozenInstanceError, match="cannot assign to field 'x'"):
        Point(1.0).x = 2.0


def test_docstring_becomes_type_doc(key):
    @py_class(key)
    class Point(Object):
        """A point in the plane."""
        x: float

    assert typehost.type_info(key).doc == "A point in the plane."


def test_class_not_deriving_from_object_is_refused(key):
    with pytest.raises(RegistrationError, match="does not derive from"):
        @py_class(key)
        class Plain:
            x: float
    assert key not in typehost.type_keys()


def test_unsupported_annotation_leaves_nothing_registered(key):
    with pytest.raises(RegistrationError, match=r"Bad.x: unsupported annotation"):
        @py_class(key)
        class Bad(Object):
            x: set
    assert key not in typehost.type_keys()

    @py_class(key)  # the key is still free
    class Good(Object):
        x: int

    assert typehost.type_info(key).fields[0].schema == "int"


def test_redefinition_by_same_owner_replaces_and_old_instances_go_stale(key):
    @py_class(key)
    class V1(Object):
        x: int

    old = V1(1)

    @py_class(key)
    class V2(Object):
        x: int
        y: int = 2

    assert typehost.type_info(old).stale is True
    assert typehost.type_info(V2(1)).stale is False
    assert old.x == 1
    assert typehost.type_info(key).generation == 2


def test_registration_error_is_a_type_error():
    assert issubclass(RegistrationError, TypeError)
    assert issubclass(typehost.ValidationError, ValueError)
    assert issubclass(RegistrationError, typehost.Error)


def test_call_form_without_arguments_uses_the_default_key():
    @py_class()
    class Called(Object):
        x: int

    assert typehost.type_info(Called).key == \
        f"{__name__}.test_call_form_without_arguments_uses_the_default_key.<locals>.Called"


def test_type_key_that_is_not_a_string_is_refused():
    with pytest.raises(TypeError) as info:
        py_class(3)
    assert str(info.value) == "py_class() type_key must be a str, not int"


def test_object_itself_cannot_be_decorated():
    with pytest.raises(RegistrationError) as info:
        py_class(Object)
    assert str(info.value) == \
        "@py_class needs a subclass of typehost.Object; Object does not derive from it"


def test_registered_class_derives_from_object_and_has_the_metaclass(key):
    @py_class(key)
    class Point(Object):
        x: float

    assert issubclass(Point, Object)
    assert type(Point).__name__ == "ObjectMeta"
    assert typehost.get_class(key) is Point


def test_enum_used_by_a_field_is_registered_with_its_members(key):
    import enum

    class Unit(enum.Enum):
        """Units of length."""
        MM = "mm"
        INCH = "in"

    @py_class(key)
    class Length(Object):
        unit: Unit = Unit.MM

    enum_key = f"{Unit.__module__}.{Unit.__qualname__}"
    info = typehost.type_info(enum_key)
    assert (info.kind, info.members, info.doc) == ("enum", (("MM", "mm"), ("INCH", "in")), "Units of length.")
    assert typehost.type_info(Unit).key == enum_key
    assert typehost.get_class(enum_key) is Unit
    assert Length().unit is Unit.MM


def test_type_info_records_where_the_class_was_defined(key):
    @py_class(key)
    class Located(Object):
        x: int

    info = typehost.type_info(Located)
    assert info.file == __file__
    assert info.line > 0


def test_type_keys_include_every_registered_key(new_key):
    keys = [new_key(), new_key()]
    for k in keys:
        py_class(k)(type("T", (Object,), {"__annotations__": {"x": int}}))
    assert set(keys) <= set(typehost.type_keys())
