"""A registration that fails leaves nothing registered and the key free for the next try."""

import enum

import pytest

import typehost
from typehost import Object, RegistrationError, field, py_class
from typehost._registration import state


class Shade(enum.Enum):
    DARK = "dark"
    LIGHT = "light"


def assert_free(key):
    assert key not in typehost.type_keys()
    with pytest.raises(KeyError):
        typehost.type_info(key)

    @py_class(key)
    class Retry(Object):
        ok: int = 1

    assert typehost.type_info(key).fields[0].name == "ok"


def test_bad_annotation_after_good_fields_registers_nothing(key):
    with pytest.raises(RegistrationError):
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"a": int, "b": str, "c": set}}))
    assert_free(key)


def test_bad_default_registers_nothing(key):
    with pytest.raises(RegistrationError):
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"a": int}, "a": "x"}))
    assert_free(key)


def test_dataclass_rule_violation_registers_nothing(key):
    with pytest.raises(TypeError):
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"a": int, "b": int}, "a": 0}))
    assert_free(key)


def test_failed_class_leaves_its_enum_unregistered(key):
    enum_key = f"{Shade.__module__}.{Shade.__qualname__}"
    with pytest.raises(RegistrationError):
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"shade": Shade, "n": int},
                                             "n": "not an int"}))
    assert enum_key not in typehost.type_keys()
    assert_free(key)


def test_invalid_key_is_refused_and_registers_nothing():
    with pytest.raises(RegistrationError) as info:
        py_class("1bad")(type("Bad", (Object,), {"__annotations__": {"a": int}}))
    assert str(info.value) == "invalid type key '1bad': use dotted identifiers such as 'geo.Point'"
    assert "1bad" not in typehost.type_keys()


def test_failed_class_does_not_complete_forward_references(new_key):
    @py_class(new_key())
    class Waiting(Object):
        other: "Broken"

    with pytest.raises(RegistrationError):
        @py_class(new_key())
        class Broken(Object):
            bad: set

    with pytest.raises(TypeError, match="refers to 'Broken', which is not defined yet"):
        Waiting(None)


def test_key_owned_by_someone_else_is_refused_naming_the_owner(key):
    previous = state.current_plugin
    state.current_plugin = "other_plugin"
    try:
        @py_class(key)
        class Theirs(Object):
            a: int
    finally:
        state.current_plugin = previous

    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Mine(Object):
            a: int

    assert str(info.value) == f"cannot register '{key}': the key is owned by 'plugin:other_plugin'"
    assert typehost.type_info(key).plugin == "other_plugin"
    assert Theirs(1).a == 1


def test_failed_field_factory_at_instantiation_does_not_affect_registration(key):
    @py_class(key)
    class Fragile(Object):
        items: list[int] = field(default_factory=lambda: ["not an int"])

    with pytest.raises(TypeError):
        Fragile()
    assert Fragile([1]).items == [1]
    assert key in typehost.type_keys()
