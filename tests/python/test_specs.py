"""The registration records (host/src/specs.h) the decorator hands to _typehost._register:
made by keyword only, so a misspelt or missing option fails where the record is made, and
texts are checked when the registration reads them."""

import pytest

import _typehost
from typehost import Object, RegistrationError, py_class


def field_spec(**overrides):
    args = dict(name="x", schema="int", annotation="int", doc=None, metadata="", has_default=True, default=1,
                default_repr="1", default_factory=None, init=True, repr=True, compare=True, hash=None,
                kw_only=False)
    args.update(overrides)
    return _typehost.FieldSpec(**args)


def type_spec(cls, key, fields, **overrides):
    args = dict(cls=cls, key=key, parent=None, doc="", file="", line=0, frozen=False, init=True, repr=True,
                eq=True, order=False, hash="unhashable", hashable=False, post_init=False, user_init=False,
                fields=fields, params=[_typehost.ParamSpec(name=f.name, field=True, kw_only=False) for f in fields])
    args.update(overrides)
    return _typehost.TypeSpec(**args)


def test_a_misspelt_option_is_a_type_error_where_the_spec_is_made():
    with pytest.raises(TypeError):
        field_spec(kwonly=True)
    with pytest.raises(TypeError):
        _typehost.ParamSpec(name="x", field=True)   # kw_only missing
    with pytest.raises(TypeError):
        _typehost.FieldSpec("x", "int")   # keywords only


def test_a_spec_registers_a_class_as_the_decorator_would(key):
    class Raw(Object):
        pass

    _typehost._register([], [type_spec(Raw, key, [field_spec()])], "tests")
    assert Raw(5).x == 5
    assert Raw().x == 1
    with pytest.raises(TypeError, match=rf"{key}\.x: expected int, got str"):
        Raw("a")


def test_a_spec_text_that_is_not_a_str_is_a_registration_error_and_registers_nothing(key):
    class Raw(Object):
        pass

    with pytest.raises(RegistrationError, match="expected a str in the class spec, got int"):
        _typehost._register([], [type_spec(Raw, key, [field_spec(schema=5)])], "tests")
    assert key not in _typehost.type_keys()
    with pytest.raises(RegistrationError, match="lone surrogate"):
        _typehost._register([], [type_spec(Raw, key, [field_spec(name="x\ud800")])], "tests")
    assert key not in _typehost.type_keys()


def test_a_class_doc_that_is_not_a_str_is_refused_with_the_registration_error(key):
    with pytest.raises(RegistrationError, match="expected a str in the class spec, got int"):
        @py_class(key)
        class P(Object):
            __doc__ = 5
            x: int = 0
    assert key not in _typehost.type_keys()
