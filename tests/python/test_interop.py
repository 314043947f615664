"""Typehost classes with the tools Python programmers already use: the dataclasses module
(same results as an equivalent @dataclass), typing.get_type_hints, inspect.signature; and the
types that cross the boundary: typing.NamedTuple fields and opaque classes (to_dict/from_dict,
to_list/from_list, pydantic models) stored in their plain form. Also typehost.types.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import inspect
import json
import os
import typing
from dataclasses import InitVar, dataclass
from typing import Any, ClassVar, NamedTuple, Optional

import pydantic
import pytest

import _typehost
import typehost
from typehost import KW_ONLY, Object, field, py_class
from typehost._plugins import PluginManager

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


# ---------------------------------------------------------------------------------------
# Twins: the same class as @py_class and as @dataclass


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


class Span(NamedTuple):
    start: int
    end: int = 0


@py_class("tests.interop.Point")
class Point(Object):
    x: float
    y: float = 0.0


@dataclass
class DPoint:
    x: float
    y: float = 0.0


@py_class("tests.interop.Shape", order=True)
class Shape(Object):
    """A shape with one field of most kinds."""

    name: str
    points: list[Point] = field(default_factory=list, metadata={"unit": "mm"})
    by_name: dict[str, Point] = field(default_factory=dict)
    by_id: dict[int, list[Point]] = field(default_factory=dict)
    corners: tuple[Point, ...] = ()
    span: Span = Span(0, 0)
    colour: Colour = Colour.RED
    note: Optional[str] = field(default=None, repr=False, compare=False)
    scale: InitVar[float] = 1.0
    count: ClassVar[int] = 0
    _: KW_ONLY
    extra: Any = None
    area: float = field(default=0.0, init=False)

    def __post_init__(self, scale):
        self.area = scale * len(self.points)


@dataclass(order=True)
class DShape:
    """A shape with one field of most kinds."""

    name: str
    points: list[DPoint] = dataclasses.field(default_factory=list, metadata={"unit": "mm"})
    by_name: dict[str, DPoint] = dataclasses.field(default_factory=dict)
    by_id: dict[int, list[DPoint]] = dataclasses.field(default_factory=dict)
    corners: tuple[DPoint, ...] = ()
    span: Span = Span(0, 0)
    colour: Colour = Colour.RED
    note: Optional[str] = dataclasses.field(default=None, repr=False, compare=False)
    scale: InitVar[float] = 1.0
    count: ClassVar[int] = 0
    _: KW_ONLY
    extra: Any = None
    area: float = dataclasses.field(default=0.0, init=False)

    def __post_init__(self, scale):
        self.area = scale * len(self.points)


def make_pair(extra=None):
    ours = Shape("s", [Point(1.0), Point(2.0, 3.0)], {"a": Point(4.0)}, {7: [Point(5.0)]}, (Point(6.0),),
                 Span(1, 2), Colour.GREEN, "n", 2.0, extra=extra)
    theirs = DShape("s", [DPoint(1.0), DPoint(2.0, 3.0)], {"a": DPoint(4.0)}, {7: [DPoint(5.0)]}, (DPoint(6.0),),
                    Span(1, 2), Colour.GREEN, "n", 2.0, extra=extra)
    return ours, theirs


def describe(f: dataclasses.Field) -> tuple:
    return (f.name, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, dict(f.metadata),
            f.kw_only, f._field_type)  # type: ignore[attr-defined]


def test_is_dataclass_holds_for_classes_and_instances():
    assert dataclasses.is_dataclass(Shape) and dataclasses.is_dataclass(Shape("s"))
    assert not dataclasses.is_dataclass(Object)


def test_fields_match_the_dataclass_twin():
    ours, theirs = dataclasses.fields(Shape), dataclasses.fields(DShape)
    assert [describe(f) for f in ours] == [describe(f) for f in theirs]
    assert [describe(f) for f in dataclasses.fields(Shape("s"))] == [describe(f) for f in theirs]
    # the annotations as written (strings here: `from __future__ import annotations`)
    assert [f.type for f in ours] == [f.type.replace("DPoint", "Point") for f in theirs]


def test_all_dataclass_fields_including_initvar_and_classvar_match():
    ours, theirs = Shape.__dataclass_fields__, DShape.__dataclass_fields__
    assert list(ours) == list(theirs)
    assert [describe(f) for f in ours.values()] == [describe(f) for f in theirs.values()]


def test_asdict_matches_the_dataclass_twin_through_list_and_dict_views():
    ours, theirs = make_pair(extra={"k": [1, 2]})
    assert type(ours.points) is typehost.List and type(ours.by_name) is typehost.Dict
    result = dataclasses.asdict(ours)
    assert result == dataclasses.asdict(theirs)
    assert result["points"] == [{"x": 1.0, "y": 0.0}, {"x": 2.0, "y": 3.0}]
    assert type(result["points"]) is list and type(result["by_name"]) is dict
    assert type(result["by_id"][7]) is list and type(result["by_id"][7][0]) is dict
    assert type(result["span"]) is Span
    assert type(result["extra"]) is dict and type(result["extra"]["k"]) is list


def test_asdict_with_a_dict_factory_matches():
    ours, theirs = make_pair()
    factory = lambda items: dict(reversed(items))  # noqa: E731
    assert dataclasses.asdict(ours, dict_factory=factory) == dataclasses.asdict(theirs, dict_factory=factory)
    assert list(dataclasses.asdict(ours, dict_factory=factory)["points"][0]) == ["y", "x"]


def test_astuple_matches_the_dataclass_twin():
    ours, theirs = make_pair(extra=[{"k": 1}])
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert dataclasses.astuple(ours)[1] == [(1.0, 0.0), (2.0, 3.0)]
    assert dataclasses.astuple(ours, tuple_factory=list) == dataclasses.astuple(theirs, tuple_factory=list)


def test_typehost_asdict_matches_dataclasses_asdict():
    ours, _ = make_pair(extra={"k": [1]})
    assert typehost.asdict(ours) == dataclasses.asdict(ours)


def test_deepcopy_of_a_view_outside_asdict_still_copies_objects():
    ours, _ = make_pair()
    copied = copy.deepcopy(ours.points)
    assert type(copied) is list and copied == list(ours.points)
    assert copied[0] is not ours.points[0] and isinstance(copied[0], Point)
    d = copy.deepcopy(ours.by_name)
    assert type(d) is dict and isinstance(d["a"], Point) and d["a"] == ours.by_name["a"]
    assert ours.points.__deepcopy__({}) == list(ours.points)


def test_replace_matches_the_dataclass_twin():
    ours, theirs = make_pair()
    a, b = dataclasses.replace(ours, name="t", scale=3.0), dataclasses.replace(theirs, name="t", scale=3.0)
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert a.area == b.area == 6.0
    for call in (lambda o: dataclasses.replace(o, area=1.0), lambda o: dataclasses.replace(o, nope=1)):
        with pytest.raises((ValueError, TypeError)) as mine:
            call(ours)
        with pytest.raises((ValueError, TypeError)) as twin:
            call(theirs)
        assert type(mine.value) is type(twin.value)
        assert str(mine.value) == str(twin.value).replace("DShape", "Shape")


def test_replace_requires_an_initvar_without_default_as_dataclasses_does(key):
    @py_class(key)
    class Needs(Object):
        x: int
        seed: InitVar[int]

        def __post_init__(self, seed):
            pass

    @dataclass
    class DNeeds:
        x: int
        seed: InitVar[int]

        def __post_init__(self, seed):
            pass

    with pytest.raises(ValueError) as mine:
        dataclasses.replace(Needs(1, 2), x=3)
    with pytest.raises(ValueError) as twin:
        dataclasses.replace(DNeeds(1, 2), x=3)
    assert str(mine.value) == str(twin.value)


def test_get_type_hints_match_the_dataclass_twin():
    ours, theirs = typing.get_type_hints(Shape), typing.get_type_hints(DShape)
    assert list(ours) == list(theirs)
    for name in ours:
        assert repr(ours[name]).replace("DPoint", "Point") == repr(theirs[name]).replace("DPoint", "Point")
    assert ours["points"] == list[Point]


def test_inspect_signature_shows_the_real_init():
    ours, theirs = str(inspect.signature(Shape)), str(inspect.signature(DShape))
    assert ours == theirs.replace("DPoint", "Point")
    assert ours.startswith("(name: 'str', points: 'list[Point]' = <factory>")
    assert "*, extra: 'Any' = None" in ours and "area" not in ours
    assert inspect.signature(Shape.__init__).parameters["self"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def test_signature_binds_like_the_constructor():
    sig = inspect.signature(Shape)
    bound = sig.bind("s", [Point(1.0)], extra=1)
    assert Shape(*bound.args, **bound.kwargs).extra == 1
    with pytest.raises(TypeError):
        sig.bind("s", extra=1, area=2.0)


def test_order_eq_and_repr_match_the_dataclass_twin():
    a, da = make_pair()
    b = dataclasses.replace(a, name="t")
    db = dataclasses.replace(da, name="t")
    assert (a < b) == (da < db) and (a == b) == (da == db)
    assert repr(a).replace("Point", "P") == repr(da).replace("DPoint", "P").replace("DShape", "Shape")


# ---------------------------------------------------------------------------------------
# typing.NamedTuple fields


def test_named_tuple_field_is_stored_as_a_tuple_and_read_as_the_named_tuple():
    s = Shape("s", span=Span(3, 4))
    assert type(s.span) is Span and s.span == Span(3, 4) and s.span.end == 4
    assert typehost.fields(Shape)[5].schema == f"Opaque['{__name__}.Span', tuple[int, int]]"
    assert typehost.to_builtins(s)["span"] == [3, 4]
    back = typehost.from_json(typehost.to_json(s), Shape)
    assert type(back.span) is Span and back.span == Span(3, 4)


def test_named_tuple_field_takes_a_plain_tuple_or_list_of_its_shape():
    s = Shape("s")
    s.span = (5, 6)
    assert type(s.span) is Span and s.span == Span(5, 6)
    s.span = [7, 8]
    assert s.span == Span(7, 8)


@pytest.mark.parametrize("value, message", [
    ((1,), "expected tuple[int, int], got a tuple of length 1"),
    ((1, "a"), "span[1]: expected int, got str"),
    ("ab", f"expected {__name__}.Span, got str"),
    (Point(1.0), f"expected {__name__}.Span, got Point"),
])
def test_named_tuple_field_rejects_other_values(value, message):
    s = Shape("s")
    with pytest.raises(TypeError) as info:
        s.span = value
    assert str(info.value).endswith(message), str(info.value)
    assert s.span == Span(0, 0)


def test_collections_namedtuple_without_annotations_holds_any(key):
    import collections
    Loose = collections.namedtuple("Loose", "a b")

    @py_class(key)
    class Holder(Object):
        pair: Loose

    h = Holder(Loose([1], "x"))
    assert type(h.pair) is Loose and h.pair.a == [1]
    assert typehost.fields(Holder)[0].schema == f"Opaque['{__name__}.Loose', tuple[Any, Any]]"


def test_named_tuple_inside_containers(key):
    @py_class(key)
    class Many(Object):
        spans: list[Span]
        by: dict[str, Optional[Span]]

    m = Many([Span(1, 2)], {"a": Span(3), "b": None})
    assert type(m.spans[0]) is Span and m.by["a"] == Span(3, 0) and m.by["b"] is None
    m.spans.append((9, 9))
    assert m.spans[-1] == Span(9, 9) and type(m.spans[-1]) is Span


# ---------------------------------------------------------------------------------------
# Opaque classes


class Money:
    def __init__(self, amount: int, currency: str = "EUR"):
        self.amount, self.currency = amount, currency

    def to_dict(self) -> dict:
        return {"amount": self.amount, "currency": self.currency}

    @classmethod
    def from_dict(cls, d: dict) -> Money:
        assert type(d) is dict  # plain data, not a view
        return cls(d["amount"], d["currency"])

    def __eq__(self, other):
        return isinstance(other, Money) and (self.amount, self.currency) == (other.amount, other.currency)

    def __repr__(self):
        return f"Money({self.amount}, {self.currency!r})"


class Vector:
    def __init__(self, *xs: float):
        self.xs = list(xs)

    def to_list(self) -> list:
        return list(self.xs)

    @classmethod
    def from_list(cls, xs: list) -> Vector:
        assert type(xs) is list
        return cls(*xs)

    def __eq__(self, other):
        return isinstance(other, Vector) and self.xs == other.xs


class Settings(pydantic.BaseModel):
    name: str
    retries: int = 3
    tags: list[str] = []


@py_class("tests.interop.Account")
class Account(Object):
    balance: Money
    position: Vector = field(default_factory=Vector)
    settings: Optional[Settings] = None
    history: list[Money] = field(default_factory=list)


def test_opaque_fields_have_opaque_schema_text():
    assert [f.schema for f in typehost.fields(Account)] == [
        f"Opaque['{__name__}.Money']", f"Opaque['{__name__}.Vector']", f"Optional[Opaque['{__name__}.Settings']]",
        f"list[Opaque['{__name__}.Money']]"]
    assert typehost.schema_of(Money) == f"Opaque['{__name__}.Money']"


def test_opaque_values_are_stored_plain_and_read_as_new_instances():
    m = Money(5, "USD")
    a = Account(m, Vector(1.0, 2.0), Settings(name="s", tags=["t"]), [Money(1)])
    assert typehost.to_builtins(a) == {
        "$type": "tests.interop.Account", "balance": {"amount": 5, "currency": "USD"},
        "position": [1.0, 2.0], "settings": {"name": "s", "retries": 3, "tags": ["t"]},
        "history": [{"amount": 1, "currency": "EUR"}]}
    assert a.balance == m and a.balance is not m and a.balance is not a.balance
    assert type(a.position) is Vector and a.position.xs == [1.0, 2.0]
    assert type(a.settings) is Settings and a.settings.tags == ["t"]
    assert type(a.history[0]) is Money


def test_mutating_a_read_instance_does_not_write_back():
    a = Account(Money(5))
    a.balance.amount = 6
    assert a.balance.amount == 5
    b = a.balance
    b.amount = 7
    a.balance = b
    assert a.balance.amount == 7


def test_opaque_fields_round_trip_through_json():
    a = Account(Money(5), Vector(0.5), Settings(name="x"), [Money(2, "GBP")])
    back = typehost.from_json(typehost.to_json(a), Account)
    assert (back.balance, back.position, back.settings, list(back.history)) == \
        (a.balance, a.position, a.settings, list(a.history))
    assert typehost.from_json('{"amount": 1, "currency": "X"}', Money) == Money(1, "X")


def test_opaque_default_factory_and_equality(key):
    a, b = Account(Money(1)), Account(Money(1))
    assert a == b and a.position == Vector()
    assert a != Account(Money(2))


@pytest.mark.parametrize("value, message", [
    ({"amount": 1, "currency": "EUR"}, f"expected {__name__}.Money, got dict"),
    (Vector(1.0), f"expected {__name__}.Money, got Vector"),
    (3, f"expected {__name__}.Money, got int"),
])
def test_opaque_field_takes_only_instances_of_its_class(value, message):
    a = Account(Money(1))
    with pytest.raises(TypeError) as info:
        a.balance = value
    assert str(info.value) == f"tests.interop.Account.balance: {message}"
    assert a.balance == Money(1)


def test_plain_form_must_be_a_list_or_a_str_keyed_dict(key):
    class Bad:
        def __init__(self, plain):
            self.plain = plain

        def to_dict(self):
            return self.plain

        @classmethod
        def from_dict(cls, d):
            return cls(d)

    @py_class(key)
    class Holder(Object):
        bad: Bad

    for plain, got in ((1, "int"), ({1: "a"}, "a dict with int keys")):
        with pytest.raises(TypeError) as info:
            Holder(Bad(plain))
        assert str(info.value) == (f"{key}.bad: the plain form of {__name__}.{Bad.__qualname__} must be a "
                                   f"list or a dict with str keys, got {got}")
    with pytest.raises(TypeError, match="expected a value typehost can hold, got set"):
        Holder(Bad({"s": {1}}))
    assert Holder(Bad({"$type": [b"x"]})).bad.plain == {"$type": [b"x"]}


def test_an_unsupported_class_is_still_refused(key):
    class Plain:
        pass

    with pytest.raises(typehost.RegistrationError, match="Plain is not a type typehost can store"):
        @py_class(key)
        class Holder(Object):
            p: Plain


def test_pydantic_model_is_validated_by_pydantic_on_read():
    a = Account(Money(1), settings=Settings(name="s"))
    text = typehost.to_json(a).replace('"retries":3', '"retries":"4"')
    assert typehost.from_json(text, Account).settings.retries == 4


def test_dataclasses_asdict_keeps_opaque_values_as_objects():
    a = Account(Money(1), history=[Money(2)])
    d = dataclasses.asdict(a)
    assert d["balance"] == Money(1) and d["history"] == [Money(2)]


# ---------------------------------------------------------------------------------------
# Native types: generated classes with real annotations; typehost.types


@pytest.fixture(scope="module")
def geometry(tmp_path_factory):
    native = [d for d in _typehost._bundled_plugin_dirs() if os.path.isfile(os.path.join(d, "libgeometry.so"))]
    if not native:
        pytest.fail("the geometry plugin is not built: cmake --build BUILD --target geometry")
    state = tmp_path_factory.mktemp("plugin-state")
    m = PluginManager([native[0]], timeout=30.0, crash_guard=str(state / "loading.json"),
                      config_file=str(state / "plugins.json"))
    assert [p.state for p in m.load_all()] == ["loaded"]
    yield m
    m.unload_all()


def test_native_classes_have_annotations_and_type_hints(geometry):
    Vec3, Transform = typehost.get_class("geo.Vec3"), typehost.get_class("geo.Transform")
    assert typing.get_type_hints(Vec3) == {"x": float, "y": float, "z": float}
    assert typing.get_type_hints(Transform) == {"translation": Vec3, "rotation": Vec3, "scale": Vec3}
    assert [f.type for f in dataclasses.fields(Transform)] == [Vec3, Vec3, Vec3]
    assert str(inspect.signature(Vec3)) == "(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> None"
    assert dataclasses.asdict(Transform()) == {"translation": {"x": 0.0, "y": 0.0, "z": 0.0},
                                               "rotation": {"x": 0.0, "y": 0.0, "z": 0.0},
                                               "scale": {"x": 1.0, "y": 1.0, "z": 1.0}}


def test_python_subclass_of_a_native_class_has_hints_of_both(geometry, key):
    from typehost.types import geo

    @py_class(key)
    class Labelled(geo.Vec3):
        label: str = ""

    assert typing.get_type_hints(Labelled) == {"x": float, "y": float, "z": float, "label": str}
    assert str(inspect.signature(Labelled)) == \
        "(x: float = 0.0, y: float = 0.0, z: float = 0.0, label: 'str' = '') -> None"


def test_typehost_types_resolves_keys_by_their_parts(geometry):
    import typehost.types as types
    from typehost.types import geo

    assert geo.Vec3 is typehost.get_class("geo.Vec3")
    assert types.tests.interop.Point is Point
    assert "Vec3" in dir(geo) and "geo" in dir(types)
    assert repr(types.tests.interop) == "<typehost.types namespace 'tests.interop'>"
    with pytest.raises(AttributeError, match="namespace 'geo' has no registered type or namespace 'Nope'"):
        geo.Nope
    with pytest.raises(ImportError):
        from typehost.types import nothing_here  # noqa: F401


def test_typehost_types_in_an_annotation_waits_for_a_type_not_registered_yet(new_key):
    import typehost.types as tt

    waiting_key, later_key = new_key(), "tests.interop_later.Later"

    @py_class(waiting_key)
    class Waiting(Object):
        later: Optional[tt.tests.interop_later.Later] = None

    with pytest.raises(TypeError, match="refers to 'tests.interop_later', which is not defined yet"):
        Waiting()

    @py_class(later_key)
    class Later(Object):
        x: int = 0

    assert Waiting(Later(1)).later.x == 1
    assert typehost.fields(Waiting)[0].schema == f"Optional[{later_key}]"
