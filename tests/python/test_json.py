"""JSON round trips: to_json / from_json / to_builtins / convert, and ValidationError paths."""

import enum
import json
import math
from typing import Any, Optional

import pytest

import typehost
from typehost import Object, ValidationError, field, py_class


class Kind(enum.Enum):
    LINE = "line"
    ARC = "arc"


@py_class("tests.json.Point")
class Point(Object):
    x: float
    y: float = 0.0


@py_class("tests.json.Shape")
class Shape(Object):
    name: str
    kind: Kind = Kind.LINE
    points: list[Point] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    data: bytes = b""
    weight: float = 1.0
    size: tuple[int, int] = (0, 0)
    parent: Optional["Shape"] = None


def sample():
    return Shape("s", Kind.ARC, [Point(1, 2), Point(3.5)], {"$ref": 1, "n": [None, True, "x"]},
                 {7: "seven"}, b"\x00\x01\xff", math.inf, (3, 4), Shape("parent"))


def test_to_json_writes_the_documented_format():
    text = typehost.to_json(Shape("s", points=[Point(1)], data=b"hi", weight=math.nan, ids={2: "b"}))
    assert text == ('{"$type":"tests.json.Shape","name":"s","kind":"line",'
                    '"points":[{"$type":"tests.json.Point","x":1.0,"y":0.0}],"meta":{},'
                    '"ids":{"2":"b"},"data":{"$bytes":"aGk="},"weight":{"$float":"nan"},'
                    '"size":[0,0],"parent":null}')


def test_to_json_indent_pretty_prints():
    assert typehost.to_json(Point(1), indent=2) == \
        '{\n  "$type": "tests.json.Point",\n  "x": 1.0,\n  "y": 0.0\n}'


def test_round_trip_through_json_text_gives_an_equal_object():
    s = sample()
    back = typehost.from_json(typehost.to_json(s))
    assert back == s
    assert type(back) is Shape and type(back.points[0]) is Point
    assert back.kind is Kind.ARC and back.size == (3, 4) and back.ids == {7: "seven"}


def test_from_json_accepts_bytes():
    assert typehost.from_json(typehost.to_json(Point(1)).encode()) == Point(1)


def test_from_json_with_an_expected_class_fills_in_the_type():
    assert typehost.from_json('{"x": 2}', Point) == Point(2)


def test_from_json_with_a_type_key_as_the_expected_type():
    assert typehost.from_json('{"x": 2}', "tests.json.Point") == Point(2)


def test_from_json_with_a_generic_expected_type():
    points = typehost.from_json('[{"x": 1}, {"x": 2, "y": 3}]', list[Point])
    assert points == [Point(1), Point(2, 3)]
    assert typehost.from_json('{"a": 1}', dict[str, int]) == {"a": 1}


def test_scalars_and_containers_round_trip():
    for value in [1, -2**63, 2.5, "text", None, True, [1, "a"], {"k": [1.5]}]:
        assert typehost.from_json(typehost.to_json(value)) == value
    assert typehost.to_json([1, 2.0, "x", None, True]) == '[1,2.0,"x",null,true]'


def test_to_builtins_equals_json_loads_of_to_json():
    s = sample()
    assert typehost.to_builtins(s) == json.loads(typehost.to_json(s))
    b = typehost.to_builtins(Shape("s", data=b"hi", weight=-math.inf))
    assert b["data"] == {"$bytes": "aGk="} and b["weight"] == {"$float": "-inf"}
    assert b["$type"] == "tests.json.Shape"


def test_convert_is_the_inverse_of_to_builtins():
    s = sample()
    assert typehost.convert(typehost.to_builtins(s)) == s
    assert typehost.convert({"x": 1}, Point) == Point(1)
    assert typehost.convert([{"x": 1}], list[Point]) == [Point(1)]


def test_dollar_keys_in_dicts_are_escaped_and_restored():
    s = Shape("s", meta={"$type": "not a type", "$$x": 1})
    b = typehost.to_builtins(s)
    assert b["meta"] == {"$$type": "not a type", "$$$x": 1}
    assert typehost.convert(b).meta == {"$type": "not a type", "$$x": 1}


@pytest.mark.parametrize("text, cls, path, message", [
    ('{"$type":"tests.json.Shape","name":1}', None, "/name", "/name: expected str, got integer"),
    ('{"x":1,"y":"no"}', Point, "/y", "/y: expected float, got string"),
    ('[{"x":1},{"x":"bad"}]', list[Point], "/1/x", "/1/x: expected float, got string"),
    ('{"$type":"tests.json.Shape","name":"s","points":[{"x":1},{"y":2}]}', None, "/points/1",
     "/points/1: missing field 'x' of tests.json.Point"),
    ('{"x":1,"z":2}', Point, "/z", "/z: unknown field 'z' of tests.json.Point"),
    ('{"$type":"tests.json.Shape","name":"s","kind":"circle"}', None, "/kind", None),
    ('{"$type":"tests.json.Nope"}', None, "/$type", None),
])
def test_bad_json_raises_validation_error_with_a_json_pointer(text, cls, path, message):
    with pytest.raises(ValidationError) as info:
        typehost.from_json(text, cls)
    assert info.value.path == path
    if message is not None:
        assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_json_that_does_not_parse_raises_validation_error():
    with pytest.raises(ValidationError, match="invalid JSON"):
        typehost.from_json('{"x": ')


@pytest.mark.parametrize("text, line, column, reason", [
    ('{"x": ', 1, 7, "syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"),
    ('[\n  1,\n  2,,\n]', 3, 5, "syntax error while parsing value - unexpected ','; expected '[', '{', or a literal"),
    ('{"a": 1}\n{"b": 2}', 2, 1, "syntax error while parsing value - unexpected '{'; expected end of input"),
    (b'["caf\xe9"]', 1, 7, None),   # noticed at the byte after the ill-formed one
], ids=["truncated", "double-comma", "two-documents", "bad-utf8"])
def test_a_json_syntax_error_says_its_line_and_column(text, line, column, reason):
    with pytest.raises(ValidationError) as info:
        typehost.from_json(text)
    e = info.value
    assert (e.line, e.column, e.path) == (line, column, "")
    assert str(e).startswith(f"invalid JSON at line {line}, column {column}: ")
    if reason is not None:
        assert str(e) == f"invalid JSON at line {line}, column {column}: {reason}"


def test_a_validation_error_that_is_not_about_syntax_has_no_line():
    with pytest.raises(ValidationError) as info:
        typehost.from_json("[1]", list[str])
    assert (info.value.line, info.value.column, info.value.path) == (None, None, "/0")


def test_from_json_of_a_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError, match="from_json expects str or bytes"):
        typehost.from_json(3)


def test_convert_of_bad_plain_data_raises_validation_error_with_path():
    with pytest.raises(ValidationError) as info:
        typehost.convert({"name": "s", "points": [{"x": 1}, {"x": "bad"}]}, Shape)
    assert info.value.path == "/points/1/x"


def test_convert_of_data_json_cannot_hold_raises_validation_error():
    with pytest.raises(ValidationError, match="cannot convert set"):
        typehost.convert({1, 2})


def test_to_json_of_a_value_typehost_cannot_hold_raises_validation_error():
    with pytest.raises(ValidationError, match="expected a value typehost can hold, got set"):
        typehost.to_json({1, 2})


def test_to_json_of_a_cycle_raises_validation_error_naming_the_path():
    s = Shape("a")
    s.parent = Shape("b", parent=s)
    with pytest.raises(ValidationError) as info:
        typehost.to_json(s)
    assert info.value.path == "/parent/parent"
    assert str(info.value) == "/parent/parent: the value contains a cycle"


def test_shared_objects_are_written_twice_and_read_back_as_copies():
    p = Point(1)
    back = typehost.from_json(typehost.to_json(Shape("s", points=[p, p])))
    assert back.points[0] == back.points[1]
    assert back.points[0] is not back.points[1]


def test_default_factory_fills_missing_fields_when_reading(key):
    @py_class(key)
    class WithFactory(Object):
        name: str
        items: list[int] = field(default_factory=lambda: [1, 2])

    assert typehost.from_json('{"name":"n"}', WithFactory).items == [1, 2]


def test_error_at_the_root_has_an_empty_pointer():
    with pytest.raises(ValidationError) as info:
        typehost.from_json('{"y": 1}', Point)
    assert info.value.path == ""
    assert str(info.value) == "/: missing field 'x' of tests.json.Point"
