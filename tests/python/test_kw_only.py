"""Keyword-only fields: KW_ONLY, kw_only=True on the class, field(kw_only=...)."""

import dataclasses
import inspect

import pytest

import typehost
from typehost import KW_ONLY, Object, RegistrationError, field, py_class


def test_fields_after_kw_only_marker_are_keyword_only(key):
    @py_class(key)
    class Options(Object):
        path: str
        _: KW_ONLY
        verbose: bool
        depth: int = 3

    assert str(inspect.signature(Options)) == "(path: str, *, verbose: bool, depth: int = 3) -> None"
    o = Options("p", verbose=True)
    assert (o.path, o.verbose, o.depth) == ("p", True, 3)
    assert [f.kw_only for f in typehost.fields(Options)] == [False, True, True]


def test_kw_only_marker_is_not_a_field(key):
    @py_class(key)
    class Options(Object):
        path: str
        _: KW_ONLY
        verbose: bool = False

    assert [f.name for f in typehost.fields(Options)] == ["path", "verbose"]
    assert Options.__match_args__ == ("path",)


def test_keyword_only_field_passed_positionally_is_refused(key):
    @py_class(key)
    class Options(Object):
        path: str
        _: KW_ONLY
        verbose: bool = False

    with pytest.raises(TypeError) as info:
        Options("p", True)
    assert str(info.value) == \
        f"{Options.__qualname__}.__init__() takes 2 positional arguments but 3 were given"


def test_missing_keyword_only_arguments_are_named_as_cpython_does(key):
    @py_class(key)
    class Options(Object):
        _: KW_ONLY
        a: int
        b: int

    with pytest.raises(TypeError) as info:
        Options()
    assert str(info.value) == \
        f"{Options.__qualname__}.__init__() missing 2 required keyword-only arguments: 'a' and 'b'"


def test_kw_only_class_option_makes_every_field_keyword_only(key):
    @py_class(key, kw_only=True)
    class Options(Object):
        path: str
        depth: int = 3

    assert str(inspect.signature(Options)) == "(*, path: str, depth: int = 3) -> None"
    assert Options(path="p").depth == 3


def test_field_kw_only_overrides_the_class_option(key):
    @py_class(key, kw_only=True)
    class Options(Object):
        depth: int
        path: str = field(kw_only=False, default="p")

    assert str(inspect.signature(Options)) == "(path: str = 'p', *, depth: int) -> None"


def test_keyword_only_fields_may_precede_positional_defaults_free_fields(key):
    # As in dataclasses: a keyword-only field with a default does not force later fields to
    # have defaults.
    @py_class(key)
    class Options(Object):
        a: int = 0
        b: int = field(kw_only=True)
        c: int = 1

    assert str(inspect.signature(Options)) == "(a: int = 0, c: int = 1, *, b: int) -> None"


def test_keyword_only_parameters_go_last_across_inheritance(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int
        _: KW_ONLY
        b: int
        c: int = 3

    @py_class(new_key())
    class Derived(Base):
        d: int = 4

    assert str(inspect.signature(Derived)) == "(a: int, d: int = 4, *, b: int, c: int = 3) -> None"
    x = Derived(1, 2, b=5)
    assert (x.a, x.b, x.c, x.d) == (1, 5, 3, 2)


def test_second_kw_only_marker_is_refused(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            a: KW_ONLY
            b: KW_ONLY

    assert str(info.value) == "'b' is KW_ONLY, but KW_ONLY has already been specified"
    assert key not in typehost.type_keys()


def test_dataclasses_kw_only_marker_works(key):
    @py_class(key)
    class Options(Object):
        path: str
        _: dataclasses.KW_ONLY
        verbose: bool = False

    assert str(inspect.signature(Options)) == "(path: str, *, verbose: bool = False) -> None"


def test_kw_only_marker_as_a_string_annotation(key):
    @py_class(key)
    class Options(Object):
        path: "str"
        _: "KW_ONLY"
        verbose: "bool" = False

    assert str(inspect.signature(Options)) == "(path: 'str', *, verbose: 'bool' = False) -> None"
