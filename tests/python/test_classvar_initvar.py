"""ClassVar annotations are skipped; InitVar parameters go to __init__ and __post_init__ only."""

import dataclasses
import inspect
from typing import ClassVar

import pytest

import typehost
from typehost import InitVar, Object, RegistrationError, field, py_class


def test_classvar_is_not_a_field_and_stays_a_class_attribute(key):
    @py_class(key)
    class Counter(Object):
        instances: ClassVar[int] = 0
        limit: "ClassVar[int]" = 10
        name: str

    assert [f.name for f in typehost.fields(Counter)] == ["name"]
    assert (Counter.instances, Counter.limit) == (0, 10)
    assert str(inspect.signature(Counter)) == "(name: str) -> None"
    assert Counter("a").instances == 0


def test_classvar_may_hold_a_mutable_value(key):
    @py_class(key)
    class Registry(Object):
        seen: ClassVar[list] = []
        name: str

    Registry.seen.append(1)
    assert Registry.seen == [1]


def test_classvar_with_default_factory_is_refused(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            seen: ClassVar[list] = field(default_factory=list)

    assert str(info.value) == "field seen cannot have a default factory"
    assert key not in typehost.type_keys()


def test_initvar_is_an_init_parameter_passed_to_post_init(key):
    seen = []

    @py_class(key)
    class Scaled(Object):
        value: float
        scale: InitVar[float] = 1.0

        def __post_init__(self, scale):
            seen.append(scale)
            self.value = self.value * scale

    assert Scaled(2.0, 3.0).value == 6.0
    assert Scaled(2.0).value == 2.0
    assert Scaled(2.0, scale=0.5).value == 1.0
    assert seen == [3.0, 1.0, 0.5]


def test_initvar_is_not_a_field_and_not_stored(key):
    @py_class(key)
    class Scaled(Object):
        value: float
        scale: InitVar[float] = 1.0

        def __post_init__(self, scale):
            pass

    assert [f.name for f in typehost.fields(Scaled)] == ["value"]
    assert "scale" not in typehost.asdict(Scaled(1.0))
    assert repr(Scaled(1.0, 2.0)).endswith("Scaled(value=1.0)")
    assert str(inspect.signature(Scaled)) == \
        "(value: float, scale: dataclasses.InitVar[float] = 1.0) -> None"


def test_match_args_include_initvars_as_in_dataclasses(key):
    @py_class(key)
    class Scaled(Object):
        value: float
        scale: InitVar[float] = 1.0

        def __post_init__(self, scale):
            pass

    assert Scaled.__match_args__ == ("value", "scale")


def test_required_initvar_is_reported_missing(key):
    @py_class(key)
    class Scaled(Object):
        value: float
        scale: InitVar[float]

        def __post_init__(self, scale):
            pass

    with pytest.raises(TypeError) as info:
        Scaled(1.0)
    assert str(info.value) == \
        f"{Scaled.__qualname__}.__init__() missing 1 required positional argument: 'scale'"


def test_initvar_with_default_factory_is_refused(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            scale: InitVar[list] = field(default_factory=list)

    assert str(info.value) == "field scale cannot have a default factory"


def test_dataclasses_initvar_and_string_initvar_work(key):
    @py_class(key)
    class Scaled(Object):
        value: float
        a: dataclasses.InitVar[int] = 1
        b: "InitVar[int]" = 2

        def __post_init__(self, a, b):
            self.value = self.value + a + b

    assert Scaled(0.0).value == 3.0
    assert Scaled(0.0, 10, 20).value == 30.0
    assert [f.name for f in typehost.fields(Scaled)] == ["value"]
