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
                fields=fields)
    args.update(overrides)
    if "params" not in overrides:
        args["params"] = [_typehost.ParamSpec(name=f.name, field=True, kw_only=False) for f in fields]
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


def test_record_constructors_refuse_what_is_not_their_shape():
    with pytest.raises(TypeError, match=r"FieldSpec\(\) takes keyword arguments only"):
        _typehost.FieldSpec("x")
    with pytest.raises(TypeError, match=r"FieldSpec\(\) got an unexpected keyword argument 'kwonly'"):
        field_spec(kwonly=True)
    with pytest.raises(TypeError, match=r"ParamSpec\(\) missing required keyword argument 'kw_only'"):
        _typehost.ParamSpec(name="x", field=True)
    with pytest.raises(TypeError, match="init must be a bool, got list"):
        field_spec(init=[])
    with pytest.raises(TypeError, match="hash must be a bool, got str"):
        field_spec(hash="x")


def test_a_type_spec_holds_records_only(key):
    class Raw(Object):
        pass

    with pytest.raises(TypeError, match="fields must hold typehost.FieldSpec records, got dict"):
        type_spec(Raw, key, [{"name": "x"}], params=[])
    with pytest.raises(TypeError, match="params must hold typehost.ParamSpec records, got str"):
        type_spec(Raw, key, [field_spec()], params=["x"])


def test_records_keep_their_values_alive_until_registered(key):
    import gc

    class Raw(Object):
        pass

    factory = lambda: [1, 2]   # noqa: E731 - the only reference is dropped below
    spec = field_spec(name="xs", schema="list[int]", annotation="list[int]", has_default=False, default=None,
                      default_repr=None, default_factory=factory)
    assert spec.name == "xs" and spec.schema == "list[int]" and spec.has_default is False and spec.default is None
    del factory
    gc.collect()
    _typehost._register([], [type_spec(Raw, key, [spec])], "tests")
    del spec
    gc.collect()
    assert Raw().xs == [1, 2]
