"""Registering classes with @py_class: keys, forms, rollback and redefinition."""

import pytest

import typehost
from typehost import Object, RegistrationError, py_class


def test_bare_decorator_uses_module_and_qualname():
    @py_class
    class Point(Object):
        x: float

    assert typehost.type_info(Point).key == f"{__name__}.test_bare_decorator_uses_module_and_qualname.<locals>.Point"


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
