"""Strict conversion of field values: every row of the table in docs/python-api.md and its
error message (TypeError naming key, field and path; OverflowError outside int64)."""

import enum
import math
import typing
from typing import Any, Literal, Optional, Union

import pytest

import typehost
from typehost import Object, field, py_class


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mode(enum.StrEnum):
    FAST = "fast"
    SLOW = "slow"


class MyInt(int):
    pass


class MyStr(str):
    pass


@py_class("tests.conv.Point")
class Point(Object):
    x: float = 0.0


@py_class("tests.conv.Point3")
class Point3(Point):
    z: float = 0.0


@py_class("tests.conv.Other")
class Other(Object):
    pass


K = "tests.conv.Row"


@py_class(K)
class Row(Object):
    b: bool = False
    i: int = 0
    f: float = 0.0
    s: str = ""
    by: bytes = b""
    none: None = None
    opt: Optional[int] = None
    pipe: int | None = None
    union: Union[int, str] = 0
    num: Union[float, int] = 0.0
    li: list[int] = field(default_factory=list)
    ds: dict[str, int] = field(default_factory=dict)
    di: dict[int, str] = field(default_factory=dict)
    tv: tuple[int, ...] = ()
    tf: tuple[int, str] = (0, "")
    lit: Literal["a", "b", 1] = "a"
    color: Color = Color.RED
    level: Level = Level.LOW
    point: Optional[Point] = None
    obj: Optional[Object] = None
    any: Any = None
    lines: list[list[Point]] = field(default_factory=list)


def assign(name, value):
    r = Row()
    setattr(r, name, value)
    return getattr(r, name)


# (field, value given, value read back) for accepted values.
ACCEPTED = [
    ("b", True, True), ("b", False, False),
    ("i", 5, 5), ("i", -2**63, -2**63), ("i", 2**63 - 1, 2**63 - 1),
    ("f", 1.5, 1.5), ("f", 2, 2.0), ("f", -0.0, -0.0), ("f", math.inf, math.inf),
    ("s", "text", "text"), ("s", "", ""), ("s", "ünï\u20ac", "ünï\u20ac"),
    ("by", b"\x00\xff", b"\x00\xff"), ("by", bytearray(b"ab"), b"ab"), ("by", memoryview(b"cd"), b"cd"),
    ("none", None, None),
    ("opt", None, None), ("opt", 3, 3), ("pipe", 4, 4), ("pipe", None, None),
    ("union", 3, 3), ("union", "x", "x"),
    ("num", 1, 1), ("num", 1.5, 1.5),
    ("li", [1, 2], [1, 2]), ("li", (1, 2), [1, 2]), ("li", [], []),
    ("ds", {"a": 1}, {"a": 1}), ("di", {1: "a"}, {1: "a"}),
    ("tv", (1, 2, 3), (1, 2, 3)), ("tv", [1, 2], (1, 2)), ("tv", (), ()),
    ("tf", (1, "a"), (1, "a")), ("tf", [2, "b"], (2, "b")),
    ("lit", "b", "b"), ("lit", 1, 1),
    ("color", Color.GREEN, Color.GREEN), ("level", Level.HIGH, Level.HIGH),
    ("any", 1, 1), ("any", "s", "s"), ("any", None, None), ("any", 2.5, 2.5), ("any", [1, "a"], [1, "a"]),
    ("any", {"k": [1]}, {"k": [1]}), ("any", {1: "a"}, {1: "a"}), ("any", b"b", b"b"), ("any", True, True),
    ("lines", [[Point(1)]], [[Point(1)]]),
]


@pytest.mark.parametrize("name, given, expected", ACCEPTED, ids=lambda v: repr(v)[:20])
def test_accepted_value_reads_back_converted(name, given, expected):
    got = assign(name, given)
    assert got == expected
    if isinstance(expected, (bool, int, float, str, bytes, tuple)) and expected is not None:
        assert type(got) is type(expected)


# (field, value, message after "tests.conv.Row.") for refused values.
REFUSED = [
    ("b", 1, "b: expected bool, got int"),
    ("b", None, "b: expected bool, got None"),
    ("i", True, "i: expected int, got bool"),
    ("i", 1.0, "i: expected int, got float"),
    ("i", "1", "i: expected int, got str"),
    ("f", True, "f: expected float, got bool"),
    ("f", "1.0", "f: expected float, got str"),
    ("f", None, "f: expected float, got None"),
    ("s", b"x", "s: expected str, got bytes"),
    ("s", 1, "s: expected str, got int"),
    ("s", Color.RED, "s: expected str, got Color"),
    ("by", "x", "by: expected bytes, got str"),
    ("by", [1], "by: expected bytes, got list"),
    ("none", 0, "none: expected None, got int"),
    ("opt", "x", "opt: expected int, got str"),
    ("opt", True, "opt: expected int, got bool"),
    ("union", 1.5, "union: expected Union[int, str], got float"),
    ("num", True, "num: expected Union[float, int], got bool"),
    ("li", {1}, "li: expected list[int], got set"),
    ("li", "ab", "li: expected list[int], got str"),
    ("li", [1, "x"], "li[1]: expected int, got str"),
    ("ds", {"a": "x"}, "ds['a']: expected int, got str"),
    ("ds", {1: 1}, "ds: expected str dict keys, got int"),
    ("ds", [("a", 1)], "ds: expected dict[str, int], got list"),
    ("di", {"1": "a"}, "di: expected int dict keys, got str"),
    ("di", {7: 1}, "di[7]: expected str, got int"),
    ("tv", (1, "x"), "tv[1]: expected int, got str"),
    ("tv", {1: 1}, "tv: expected tuple[int, ...], got dict"),
    ("tf", (1,), "tf: expected tuple[int, str], got a tuple of length 1"),
    ("tf", [1, "a", 2], "tf: expected tuple[int, str], got a list of length 3"),
    ("tf", (1, 2), "tf[1]: expected str, got int"),
    ("lit", "c", "lit: expected Literal['a', 'b', 1], got 'c'"),
    ("lit", True, "lit: expected Literal['a', 'b', 1], got True"),
    ("lit", 2, "lit: expected Literal['a', 'b', 1], got 2"),
    # the value (or the name) of a member instead of the member: which member to pass
    ("color", "red", f"color: expected {__name__}.Color, got str ('red' is the value of Color.RED: pass the member "
                     "Color.RED)"),
    ("level", 2, f"level: expected {__name__}.Level, got int (2 is the value of Level.HIGH: pass the member Level.HIGH)"),
    ("color", "RED", f"color: expected {__name__}.Color, got str ('RED' is the name of Color.RED: pass the member "
                     "Color.RED)"),
    ("color", "blue", f"color: expected {__name__}.Color, got str (one of Color.RED, Color.GREEN)"),
    ("point", Other(), "point: expected tests.conv.Point, got Other"),
    ("point", 1, "point: expected tests.conv.Point, got int"),
    ("obj", 1, "obj: expected Object, got int"),
    ("obj", [Point()], "obj: expected Object, got list"),
    ("any", {1, 2}, "any: expected a value typehost can hold, got set"),
    ("any", [1, [2, object()]], "any[1][1]: expected a value typehost can hold, got object"),
    ("lines", [[Point()], [Point(), 3]], "lines[1][1]: expected tests.conv.Point, got int"),
]


@pytest.mark.parametrize("name, value, message", REFUSED, ids=lambda v: repr(v)[:24])
def test_refused_value_raises_type_error_naming_key_field_and_path(name, value, message):
    r = Row()
    before = getattr(r, name)
    with pytest.raises(TypeError) as info:
        setattr(r, name, value)
    assert type(info.value) is TypeError
    assert str(info.value) == f"{K}.{message}"
    assert getattr(r, name) == before   # a failed assignment leaves the old value


@pytest.mark.parametrize("name, value", [
    ("i", 2**63), ("i", -2**63 - 1), ("i", 10**30), ("opt", 2**64), ("li", [1, 2**64]),
    ("any", 2**70), ("ds", {"a": -2**80}),
])
def test_int_outside_int64_raises_overflow_error(name, value):
    with pytest.raises(OverflowError, match="int out of range for int64"):
        assign(name, value)


def test_overflow_error_names_the_path():
    with pytest.raises(OverflowError) as info:
        Row(li=[1, 2**64])
    assert str(info.value) == f"{K}.li[1]: int out of range for int64"


def test_float_field_refuses_an_int_too_large_for_a_float():
    with pytest.raises(OverflowError) as info:
        Row(f=10**400)
    assert str(info.value) == f"{K}.f: int too large to convert to float"


def test_float_nan_is_stored_and_read_back():
    assert math.isnan(assign("f", math.nan))


def test_int_subclasses_and_intenum_are_accepted_and_stored_plain():
    assert type(assign("i", Level.HIGH)) is int and assign("i", Level.HIGH) == 2
    assert type(assign("i", MyInt(7))) is int
    assert type(assign("f", Level.HIGH)) is float and assign("f", Level.HIGH) == 2.0
    assert type(assign("li", [Level.LOW])[0]) is int


def test_str_subclasses_and_strenum_are_accepted_and_stored_plain():
    assert type(assign("s", Mode.FAST)) is str and assign("s", Mode.FAST) == "fast"
    assert type(assign("s", MyStr("q"))) is str
    assert type(assign("ds", {MyStr("k"): 1}).copy().popitem()[0]) is str


def test_union_prefers_the_exact_type():
    assert type(assign("num", 1)) is int
    assert type(assign("num", 1.0)) is float


def test_union_member_order_decides_for_inexact_values():
    # An IntEnum is no member's exact type: the first member that accepts it wins.
    assert type(assign("num", Level.HIGH)) is float
    assert type(assign("union", Level.HIGH)) is int


def test_registered_class_field_accepts_a_subclass_instance():
    p = Point3(1, 2)
    assert assign("point", p) is p


def test_object_annotation_accepts_any_registered_object():
    p, o = Point(), Other()
    assert assign("obj", p) is p and assign("obj", o) is o


def test_enum_field_returns_the_member():
    assert assign("color", Color.GREEN) is Color.GREEN
    assert Row().level is Level.LOW


def Bad_qualname(key):
    return "test_enum_with_float_values_is_refused_at_decoration.<locals>.Bad"


def test_enum_with_float_values_is_refused_at_decoration(key):
    class Ratio(enum.Enum):
        HALF = 0.5

    with pytest.raises(typehost.RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            r: Ratio

    q = Ratio.__qualname__
    assert str(info.value) == (f"{Bad_qualname(key)}.r: unsupported annotation '{q}': enum {q} member "
                               "HALF has a float value; only str and int values are supported")
    assert key not in typehost.type_keys()


@pytest.mark.parametrize("annotation, text", [
    (set, "'set': set is not a type typehost can store"),
    (set[int], "'set[int]': set[int] is not a type typehost can store"),
    (complex, "'complex': complex is not a type typehost can store"),
    (dict[bytes, int], "'dict[bytes, int]': dict keys must be str or int"),
    (Literal[1.5], "'Literal[1.5]': Literal values must be str or int, not float"),
])
def test_unsupported_annotation_is_refused_naming_class_field_and_annotation(key, annotation, text):
    with pytest.raises(typehost.RegistrationError) as info:
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"x": annotation}}))
    assert str(info.value) == f"Bad.x: unsupported annotation {text}"
    assert key not in typehost.type_keys()


def test_unregistered_class_annotation_is_refused(key):
    class Plain:
        pass

    with pytest.raises(typehost.RegistrationError) as info:
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"x": Plain}}))
    q = Plain.__qualname__
    assert str(info.value) == f"Bad.x: unsupported annotation '{q}': {q} is not a type typehost can store"


def test_bad_annotation_expression_is_refused_naming_the_text(key):
    with pytest.raises(typehost.RegistrationError) as info:
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"x": "len(1)"}}))
    assert str(info.value) == ("Bad.x: invalid annotation 'len(1)': TypeError: object of type "
                               "'int' has no len()")
    assert key not in typehost.type_keys()


@pytest.mark.parametrize("annotation, schema", [
    (list, "list[Any]"), (dict, "dict[str, Any]"), (tuple, "tuple[Any, ...]"),
    (typing.List[int], "list[int]"), (typing.Dict[str, float], "dict[str, float]"),
    (typing.Dict[int, str], "dict[int, str]"), (typing.Tuple[int, ...], "tuple[int, ...]"),
    (typing.Tuple[int, str], "tuple[int, str]"), (typing.Optional[str], "Optional[str]"),
    (typing.Union[int, None], "Optional[int]"), (typing.Union[int, str, None], "Optional[Union[int, str]]"),
    (int | str, "Union[int, str]"), (typing.Any, "Any"), (object, "Any"), (Object, "Object"),
    (typing.List, "list[Any]"), (typing.Annotated[int, "meta"], "int"), (tuple[()], "tuple[()]"),
    ("list[int]", "list[int]"), ("Optional[Point]", "Optional[tests.conv.Point]"),
    ("tests.conv.Point", "tests.conv.Point"),
    ("list[tests.conv.Point] | None", "Optional[list[tests.conv.Point]]"),
])
def test_bare_and_typing_spellings_mean_the_builtin_forms(key, annotation, schema):
    cls = py_class(key)(type("Spelled", (Object,), {"__annotations__": {"x": annotation},
                                                    "__module__": __name__}))
    assert typehost.fields(cls)[0].schema == schema
