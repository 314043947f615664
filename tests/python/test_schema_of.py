"""typehost.schema_of: classes, annotations (with string forward references resolved in the
caller's module), and schema text with generics; the errors are public ones that say what is
missing (issue 17)."""

from __future__ import annotations

import pytest

import typehost
from typehost import Object, py_class


@pytest.fixture
def point(key):
    @py_class(key)
    class SoPoint(Object):
        x: float = 0.0
    globals()["SoPoint"] = SoPoint   # a module-level name, as at a plugin's top level
    yield SoPoint
    del globals()["SoPoint"]


def test_a_string_forward_reference_in_an_annotation_is_looked_up_in_the_callers_module(point, key):
    assert typehost.schema_of(list["SoPoint"]) == f"list[{key}]"
    assert typehost.schema_of("SoPoint") == key
    assert typehost.schema_of("list[SoPoint]") == f"list[{key}]"


@pytest.mark.parametrize("template, expected", [
    ("{k}", "{k}"),
    ("list[{k}]", "list[{k}]"),
    ("dict[str, {k}]", "dict[str, {k}]"),
    ("Optional[{k}]", "Optional[{k}]"),
    ("{k} | None", "Optional[{k}]"),
    ("tuple[int, {k}]", "tuple[int, {k}]"),
])
def test_schema_text_with_generics_is_taken(point, key, template, expected):
    assert typehost.schema_of(template.format(k=key)) == expected.format(k=key)


def test_an_undefined_name_raises_name_error_not_a_private_exception():
    with pytest.raises(NameError) as info:
        typehost.schema_of(list["SoNowhere"])
    assert info.value.name == "SoNowhere"
    assert "name 'SoNowhere' is not defined" in str(info.value)


@pytest.mark.parametrize("text", ["list[so.missing.Thing]", "so.missing.Thing", "dict[str, so.missing.Thing]"])
def test_an_unregistered_key_in_schema_text_raises_key_error_naming_it(text):
    with pytest.raises(KeyError) as info:
        typehost.schema_of(text)
    assert "no registered type 'so.missing.Thing'" in str(info.value)


def test_text_that_is_neither_schema_nor_annotation_raises_type_error():
    with pytest.raises(TypeError, match="not a schema or annotation: 'x y'"):
        typehost.schema_of("x y")


def test_from_json_takes_the_same_forward_references(point):
    assert typehost.from_json('[{"x": 2.0}]', list["SoPoint"]) == [point(x=2.0)]
