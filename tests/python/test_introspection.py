"""What introspection shows: signatures, CPython's wording for wrong calls, Field objects,
type_info, dataclasses interop and the dataclass_transform marker."""

import dataclasses
import inspect
import typing
from typing import Optional

import pytest

import typehost
from typehost import KW_ONLY, InitVar, Object, field, py_class


@py_class("tests.introspection.Item")
class Item(Object):
    """An item in the store."""
    name: str
    price: float = 0.0
    tags: list[str] = field(default_factory=list)
    _: KW_ONLY
    count: int = 1
    note: Optional[str] = None


def test_signature_of_the_class_shows_the_real_parameters():
    sig = inspect.signature(Item)
    assert str(sig) == ("(name: str, price: float = 0.0, tags: list[str] = <factory>, *, "
                        "count: int = 1, note: Optional[str] = None) -> None")
    p = sig.parameters
    assert list(p) == ["name", "price", "tags", "count", "note"]
    assert p["name"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert p["name"].default is inspect.Parameter.empty
    assert p["count"].kind is inspect.Parameter.KEYWORD_ONLY and p["count"].default == 1
    assert p["price"].annotation is float


def test_signature_matches_the_equivalent_dataclass():
    @dataclasses.dataclass
    class Twin:
        name: str
        price: float = 0.0
        tags: list[str] = dataclasses.field(default_factory=list)
        _: KW_ONLY
        count: int = 1
        note: Optional[str] = None

    assert str(inspect.signature(Item)) == str(inspect.signature(Twin))
    assert str(inspect.signature(Item.__init__)) == str(inspect.signature(Twin.__init__))


def test_signature_of_init_includes_self():
    assert str(inspect.signature(Item.__init__)).startswith("(self, name: str,")
    assert Item.__init__.__qualname__ == "Item.__init__"


def test_signature_shows_initvars_and_string_annotations(key):
    @py_class(key)
    class Scaled(Object):
        value: "float"
        factor: InitVar[int] = 2

        def __post_init__(self, factor):
            pass

    assert str(inspect.signature(Scaled)) == \
        "(value: 'float', factor: dataclasses.InitVar[int] = 2) -> None"


def test_bind_through_the_signature_works():
    bound = inspect.signature(Item).bind("n", 2.0, count=3)
    assert Item(*bound.args, **bound.kwargs).count == 3


@pytest.mark.parametrize("args, kwargs, message", [
    ((), {}, "Item.__init__() missing 1 required positional argument: 'name'"),
    (("n", 1.0, [], 4), {}, "Item.__init__() takes from 2 to 4 positional arguments but 5 were given"),
    (("n", 1.0, [], 4), {"count": 1, "note": ""},
     "Item.__init__() takes from 2 to 4 positional arguments but 5 positional arguments "
     "(and 2 keyword-only arguments) were given"),
    (("n",), {"colour": 1}, "Item.__init__() got an unexpected keyword argument 'colour'"),
    (("n",), {"name": "m"}, "Item.__init__() got multiple values for argument 'name'"),
])
def test_wrong_calls_raise_cpythons_wording(args, kwargs, message):
    with pytest.raises(TypeError) as info:
        Item(*args, **kwargs)
    assert str(info.value) == message


def test_wrong_call_wording_is_the_same_as_a_dataclass():
    @dataclasses.dataclass
    class Twin:
        name: str
        price: float = 0.0
        tags: list = dataclasses.field(default_factory=list)
        _: KW_ONLY
        count: int = 1
        note: Optional[str] = None

    for args, kwargs in [((), {}), (("n", 1.0, [], 4), {}), (("n", 1.0, [], 4), {"count": 2}),
                         (("n",), {"colour": 1}), (("n",), {"name": "m"})]:
        with pytest.raises(TypeError) as theirs:
            Twin(*args, **kwargs)
        with pytest.raises(TypeError) as ours:
            Item(*args, **kwargs)
        assert str(ours.value) == str(theirs.value).replace(Twin.__qualname__, "Item")


def test_missing_arguments_are_listed_as_cpython_does(key):
    @py_class(key)
    class Three(Object):
        a: int
        b: int
        c: int

    with pytest.raises(TypeError) as info:
        Three()
    assert str(info.value) == \
        f"{Three.__qualname__}.__init__() missing 3 required positional arguments: 'a', 'b', and 'c'"


def test_fields_are_typehost_fields_with_annotation_and_schema():
    fs = typehost.fields(Item)
    assert all(isinstance(f, typehost.Field) for f in fs)
    assert [(f.name, f.type, f.schema) for f in fs] == [
        ("name", str, "str"), ("price", float, "float"), ("tags", list[str], "list[str]"),
        ("count", int, "int"), ("note", Optional[str], "Optional[str]")]


def test_type_info_fields_are_the_fields_list():
    info = typehost.type_info(Item)
    assert info.fields == typehost.fields(Item)
    assert typehost.type_info("tests.introspection.Item").fields == typehost.fields(Item)
    assert typehost.type_info(Item("n")).fields == typehost.fields(Item)


def test_type_info_describes_the_type():
    info = typehost.type_info(Item)
    assert (info.key, info.origin, info.plugin, info.parent, info.stale) == \
        ("tests.introspection.Item", "python", None, None, False)
    assert info.doc == "An item in the store."
    assert info.kind == "object"
    assert info.file.endswith("test_introspection.py") and info.line > 0


def test_type_info_of_an_unknown_key_raises_key_error():
    with pytest.raises(KeyError, match="no registered type 'tests.introspection.Nope'"):
        typehost.type_info("tests.introspection.Nope")


def test_type_info_of_a_non_type_raises_type_error():
    with pytest.raises(TypeError, match="is not a registered type, key or instance"):
        typehost.type_info(3)


def test_registered_classes_are_dataclasses_to_the_dataclasses_module():
    assert dataclasses.is_dataclass(Item) and dataclasses.is_dataclass(Item("n"))
    assert [f.name for f in dataclasses.fields(Item)] == ["name", "price", "tags", "count", "note"]
    assert dataclasses.asdict(Item("n", tags=["t"])) == \
        {"name": "n", "price": 0.0, "tags": ["t"], "count": 1, "note": None}
    assert dataclasses.replace(Item("n"), count=5).count == 5


def test_generated_doc_is_the_signature_when_the_class_has_none(key):
    @py_class(key)
    class Undocumented(Object):
        a: int
        b: str = "x"

    assert Undocumented.__doc__ == "Undocumented(a: int, b: str = 'x')"
    assert typehost.type_info(Undocumented).doc == ""


def test_py_class_carries_the_dataclass_transform_marker():
    marker = py_class.__dataclass_transform__
    assert marker["eq_default"] is True and marker["order_default"] is False
    assert marker["kw_only_default"] is False and marker["frozen_default"] is False
    assert typehost.field in marker["field_specifiers"]
    assert dataclasses.field in marker["field_specifiers"]


def test_field_type_hints_resolve_like_a_dataclass():
    assert typing.get_type_hints(Item)["tags"] == list[str]


def test_type_keys_lists_registered_keys_sorted():
    keys = typehost.type_keys()
    assert "tests.introspection.Item" in keys
    assert keys == sorted(keys)


def test_get_class_returns_the_registered_class():
    assert typehost.get_class("tests.introspection.Item") is Item
    with pytest.raises(KeyError):
        typehost.get_class("tests.introspection.Nope")


def test_the_generated_class_hook_refuses_a_non_callable():
    import _typehost
    with pytest.raises(TypeError, match="the generated-class hook must be callable"):
        _typehost._set_generated_class_hook(3)
