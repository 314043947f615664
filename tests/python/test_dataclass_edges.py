"""The dataclasses behaviours of issue 17 that CPython's own dataclasses tests exercise: string
annotations that name ClassVar/InitVar with spaces or a module alias, a ClassVar passed to
__init__, slots/weakref_slot, and no __post_init__ added to a class that has none."""

from __future__ import annotations

import dataclasses
import typing
import typing as t  # noqa: F401 - named by a string annotation below

import pytest

import typehost
from typehost import Object, py_class


@pytest.mark.parametrize("classvar, initvar", [
    ("typing .ClassVar[str]", "dataclasses .InitVar[str]"),
    ("typing. ClassVar[str]", "dataclasses.  InitVar[str]"),
    ("t.ClassVar[str]", "InitVar[str]"),
    ("ClassVar", "dataclasses.InitVar[str]"),
])
def test_string_annotations_naming_classvar_and_initvar_are_recognised(key, classvar, initvar):
    def post_init(self, seed):
        self.value = len(seed)

    # The annotations as a class statement in this module would hold them (this module has
    # typing, "t" and dataclasses in scope, as the alias case needs).
    namespace = {"__module__": __name__, "__qualname__": "Spaced",
                 "__annotations__": {"shared": classvar, "seed": initvar, "value": "int"},
                 "shared": "cv", "seed": "iv", "value": 0, "__post_init__": post_init}
    Spaced = py_class(key)(type("Spaced", (Object,), namespace))
    assert [f.name for f in typehost.fields(Spaced)] == ["value"]
    assert Spaced.shared == "cv"
    assert Spaced(seed="abc").value == 3
    assert Spaced().value == 2


def test_a_classvar_passed_to_init_raises_type_error(key):
    @py_class(key)
    class WithClassVar(Object):
        count: typing.ClassVar[int] = 1
        value: int = 0

    with pytest.raises(TypeError, match="unexpected keyword argument 'count'"):
        WithClassVar(count=3)
    assert WithClassVar.count == 1


def test_no_post_init_is_added_to_a_class_without_one(key):
    @py_class(key)
    class Plain(Object):
        value: int = 0

    @dataclasses.dataclass
    class Reference:
        value: int = 0

    assert hasattr(Plain, "__post_init__") is hasattr(Reference, "__post_init__") is False


def test_slots_true_and_weakref_slot_false_are_accepted(new_key):
    for options in ({"slots": True}, {"weakref_slot": False}, {"slots": True, "weakref_slot": False}):
        @py_class(new_key(), **options)
        class Slotted(Object):
            value: int = 0

        assert Slotted(value=2).value == 2
        assert not hasattr(Slotted(), "__dict__")


@pytest.mark.parametrize("options, message", [
    ({"weakref_slot": True}, "cannot be weakly referenced"),
    ({"slots": False}, "never have a __dict__"),
])
def test_unsupported_slot_options_are_refused_with_the_reason(key, options, message):
    with pytest.raises(TypeError, match=message):
        py_class(key, **options)
    assert key not in typehost.type_keys()
