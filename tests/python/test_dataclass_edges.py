"""The dataclasses behaviours of issue 17 that CPython's own dataclasses tests exercise: string
annotations that name ClassVar/InitVar with spaces or a module alias, a ClassVar passed to
__init__, slots/weakref_slot, and no __post_init__ added to a class that has none."""

from __future__ import annotations

import dataclasses
import functools
import inspect
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


# ---- functools.total_ordering and ordering methods from mixins ----

def test_total_ordering_completes_a_class_that_defines_lt(key):
    @functools.total_ordering
    @py_class(key)
    class Version(Object):
        major: int

        def __lt__(self, other):
            if not isinstance(other, Version):
                return NotImplemented
            return self.major < other.major

    one, two = Version(1), Version(2)
    assert one <= two and not two <= one and two > one and two >= two
    assert one <= Version(1)
    with pytest.raises(TypeError, match="'<=' not supported between instances of 'Version' and 'int'"):
        one <= 3  # noqa: B015


def test_total_ordering_works_from_gt_with_a_user_eq(key):
    @functools.total_ordering
    @py_class(key, eq=False)
    class Rank(Object):
        level: int

        def __eq__(self, other):
            return isinstance(other, Rank) and self.level == other.level

        def __gt__(self, other):
            return self.level > other.level

    assert Rank(1) < Rank(2) and Rank(2) <= Rank(2) and Rank(3) >= Rank(2)


def test_a_class_without_order_compares_like_a_plain_class(key):
    @py_class(key)
    class Plain(Object):
        x: int

    # No ordering of its own: Object's C comparison stays in place for the fast ==.
    assert Plain.__lt__ is Object.__lt__
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Plain' and 'Plain'"):
        Plain(1) < Plain(2)  # noqa: B015


def test_ordering_methods_of_a_mixin_are_not_hidden_by_object(key):
    class ByName:
        def __lt__(self, other):
            return self.name < other.name

    @py_class(key)
    class Tag(Object, ByName):
        name: str

    assert Tag("a") < Tag("b")
    assert sorted([Tag("b"), Tag("a")]) == [Tag("a"), Tag("b")]
    with pytest.raises(TypeError, match="'<=' not supported"):
        Tag("a") <= Tag("b")  # noqa: B015


def test_order_true_subclass_of_a_total_ordering_class_uses_its_own_order(new_key):
    @functools.total_ordering
    @py_class(new_key())
    class Base(Object):
        x: int

        def __lt__(self, other):
            return self.x > other.x   # reversed on purpose

    @py_class(new_key(), order=True)
    class Child(Base):
        y: int = 0

    assert Child(1, 5) < Child(2, 0)          # field order, not the base's reversed one
    assert Child(1, 0) <= Child(1, 0) and Child(2) >= Child(1)


# ---- option values are read by truth value, as dataclasses reads them ----

def test_field_and_class_options_take_any_truthy_or_falsy_value(new_key):
    @py_class(new_key(), frozen=1, eq="yes")
    class Rec(Object):
        a: int = typehost.field(default=1, hash="x", compare=[1])
        b: int = typehost.field(default=2, repr=[], compare=())

    assert repr(Rec()).endswith("Rec(a=1)")
    assert Rec(1, 2) == Rec(1, 3)
    assert hash(Rec(1, 2)) == hash((1,))
    with pytest.raises(dataclasses.FrozenInstanceError):
        Rec().a = 2  # type: ignore[misc]


def test_an_option_whose_truth_value_raises_registers_nothing(key):
    class NoBool:
        def __bool__(self):
            raise ValueError("no truth value")

    with pytest.raises(ValueError, match="no truth value"):
        @py_class(key)
        class Bad(Object):
            a: int = typehost.field(default=1, hash=NoBool())

    with pytest.raises(KeyError):
        typehost.get_class(key)

    @py_class(key)   # the key is free again
    class Good(Object):
        a: int = 1

    assert Good().a == 1


# ---- descriptors as class-level defaults ----

def test_a_descriptor_default_is_read_through_its_class_level_get(key):
    class Default:
        def __set_name__(self, owner, name):
            self.name = name

        def __get__(self, instance, owner):
            return 100 if instance is None else -1

        def __set__(self, instance, value):
            raise AssertionError("not called: the field's C storage holds the value")

    @py_class(key)
    class Limits(Object):
        top: int = Default()  # type: ignore[assignment]

    assert typehost.fields(Limits)[0].default == 100
    assert Limits().top == 100
    limits = Limits(5)
    limits.top = 6
    assert limits.top == 6


def test_a_descriptor_whose_default_does_not_fit_names_the_field(key):
    class Wrong:
        def __get__(self, instance, owner):
            return "text"

    with pytest.raises(typehost.RegistrationError, match=r"\.top: default expected int, got str"):
        @py_class(key)
        class Limits(Object):
            top: int = Wrong()  # type: ignore[assignment]


# ---- undecorated subclasses of a frozen class ----

def test_an_undecorated_subclass_of_a_frozen_class_sets_its_own_slots(key):
    @py_class(key, frozen=True)
    class Frozen(Object):
        x: int

    class Cached(Frozen):
        __slots__ = ("cache",)

    c = Cached(1)
    c.cache = "computed"
    assert c.cache == "computed"
    del c.cache
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        c.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'x'"):
        del c.x  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'other'"):
        Frozen(1).other = 3  # type: ignore[attr-defined]
    assert hash(c) == hash(Frozen(1)) and c == Cached(1)


def test_an_undecorated_subclass_without_slots_has_no_instance_dict(key):
    # dataclasses' plain subclasses get a __dict__; typehost's are slotted like their parent
    # (documented in the differences table).
    @py_class(key, frozen=True)
    class Frozen(Object):
        x: int

    class Plain(Frozen):
        cached: int = 0

    with pytest.raises(AttributeError, match="'Plain' object attribute 'cached' is read-only"):
        Plain(1).cached = 5


# ---- ABC and typing.Protocol bases (ObjectMeta is an abc.ABCMeta) ----

def test_a_class_may_also_derive_from_a_protocol(key):
    @typing.runtime_checkable
    class HasArea(typing.Protocol):
        def area(self) -> float: ...

    @py_class(key)
    class Square(Object, HasArea):
        side: float

        def area(self) -> float:
            return self.side ** 2

    sq = Square(3)
    assert sq.area() == 9.0 and isinstance(sq, HasArea) and isinstance(sq, Square)
    assert not isinstance(3, Square) and issubclass(Square, Object)
    assert repr(sq).endswith("Square(side=3.0)")


def test_abstract_methods_of_an_abc_base_make_the_class_abstract(new_key):
    import abc

    class Shape(abc.ABC):
        @abc.abstractmethod
        def area(self) -> float: ...

        @abc.abstractmethod
        def name(self) -> str: ...

    @py_class(new_key())
    class Partial(Object, Shape):
        x: int = 0

    with pytest.raises(TypeError, match="^Can't instantiate abstract class Partial with abstract methods area, name$"):
        Partial()
    with pytest.raises(TypeError, match="abstract class Partial"):
        Partial(x=1)   # the C __init__ path refuses it too

    @py_class(new_key())
    class Done(Partial):
        def area(self) -> float:
            return 1.0

        def name(self) -> str:
            return "done"

    assert Done(2).area() == 1.0 and isinstance(Done(), Shape)


def test_order_true_implements_an_abstract_lt(key):
    import abc

    class Ordered(abc.ABC):
        @abc.abstractmethod
        def __lt__(self, other): ...

    @py_class(key, order=True)
    class Version(Object, Ordered):
        major: int

    assert Version(1) < Version(2)


def test_register_makes_a_virtual_subclass_that_conversion_still_refuses(key):
    @py_class(key)
    class Point(Object):
        x: int

    @py_class(key + "Holder")
    class Holder(Object):
        p: Point | None = None

    class Fake:
        x = 1

    assert not isinstance(Fake(), Point)
    Point.register(Fake)
    assert isinstance(Fake(), Point) and issubclass(Fake, Point)
    with pytest.raises(TypeError, match=f"Holder.p: expected {key}, got Fake"):
        Holder(Fake())
    with pytest.raises(TypeError, match="typehost.Object has no ABC registry"):
        Object.register(Fake)


# ---- more dataclasses rules ----

def test_init_sets_fields_through_a_user_setattr(key):
    calls = []

    @py_class(key)
    class Tracked(Object):
        a: int
        b: list[int] = typehost.field(default_factory=list)
        c: int = 4

        def __setattr__(self, name, value):
            calls.append(name)
            object.__setattr__(self, name, value * 2 if isinstance(value, int) else value)

    t = Tracked(5)
    assert (t.a, list(t.b), t.c) == (10, [], 8)
    assert calls == ["a", "b", "c"]
    t.a = 1
    assert t.a == 2


def test_two_registered_bases_are_refused_and_register_nothing(new_key):
    @py_class(new_key())
    class A(Object):
        a: int = 1

    @py_class(new_key())
    class B(Object):
        b: int = 2

    key = new_key()
    with pytest.raises(typehost.RegistrationError, match=r"derives from more than one registered class \(.*A, .*B\)"):
        @py_class(key)
        class C(A, B):
            c: int = 3
    with pytest.raises(KeyError):
        typehost.get_class(key)


def test_a_frozen_class_hashes_its_fields_over_a_base_hash(key):
    class Base:
        def __hash__(self):
            return 301

    @py_class(key, frozen=True)
    class Value(Object, Base):
        x: int

    assert hash(Value(42)) == hash((42,))


def test_classvar_rules_for_field_defaults_and_kw_only(new_key):
    @py_class(new_key())
    class WithDefault(Object):
        shared: typing.ClassVar[int] = dataclasses.field(default=10)
        x: int = 0

    assert WithDefault.shared == 10
    with pytest.raises(typehost.RegistrationError, match="field shared is a ClassVar but specifies kw_only"):
        @py_class(new_key())
        class Bad(Object):
            shared: typing.ClassVar[int] = dataclasses.field(default=1, kw_only=True)


def test_a_field_named_self_works(key):
    @py_class(key)
    class Odd(Object):
        self: str

    assert Odd("me").self == "me"
    assert str(inspect.signature(Odd.__init__)).startswith("(__dataclass_self__, self: ")


def test_field_metadata_is_a_live_read_only_view(key):
    meta = {}

    @py_class(key)
    class M(Object):
        x: int = dataclasses.field(default=0, metadata=meta)

    meta["unit"] = "mm"
    assert dataclasses.fields(M)[0].metadata["unit"] == "mm"


def test_init_sets_fields_through_setattr_in_field_order(key):
    @py_class(key)
    class C(Object):
        a: int
        b: int = typehost.field()
        c: list = typehost.field(default_factory=list, init=False)
        d: list = typehost.field(default_factory=list)
        e: int = typehost.field(default=4, init=False)
        f: typing.Optional[int] = 4

    calls = []

    def record(self, name, value):
        calls.append((name, value))
        object.__setattr__(self, name, value)

    C.__setattr__ = record            # assigned after decoration, as CPython's test does
    c = C(0, 1, f=None)
    assert calls == [("a", 0), ("b", 1), ("c", []), ("d", []), ("f", None)]
    assert (c.a, c.b, c.e, c.f) == (0, 1, 4, None)


# ---- lifetime and re-entrancy edges of the new C paths ----

def test_isinstance_reads_a_claimed_class_and_propagates_its_errors(key):
    @py_class(key)
    class Point(Object):
        x: int = 0

    class Proxy:
        @property
        def __class__(self):
            return Point

    class Liar:
        @property
        def __class__(self):
            return 3          # not a class: not an instance

    class Broken:
        @property
        def __class__(self):
            raise RuntimeError("no class today")

    assert isinstance(Proxy(), Point)
    assert not isinstance(Liar(), Point)
    with pytest.raises(RuntimeError, match="no class today"):
        isinstance(Broken(), Point)
    with pytest.raises(TypeError):
        Point.register(3)     # ABCMeta's own refusal: not a class


def test_a_setattr_that_raises_or_reenters_during_init(key):
    @py_class(key)
    class Tracked(Object):
        a: int
        b: list[int] = typehost.field(default_factory=list)

        def __setattr__(self, name, value):
            if name == "a" and isinstance(value, int) and value < 0:
                raise ValueError("negative")
            if name == "a" and value == 7:
                Tracked(8)            # re-enters __init__ of the same class mid-init
            if name == "b":
                object.__setattr__(self, "a", 99)   # writes another field from the hook
            object.__setattr__(self, name, value)

    with pytest.raises(ValueError, match="negative"):
        Tracked(-1)
    t = Tracked(7)
    assert t.a == 99 and list(t.b) == []
    with pytest.raises(TypeError, match=f"{key}.a: expected int, got str"):
        Tracked("x")            # the hook stores it: validation still applies


def test_a_setattr_that_deletes_a_default_field_leaves_it_unset(key):
    @py_class(key)
    class Odd(Object):
        a: int = 1

        def __setattr__(self, name, value):
            object.__setattr__(self, name, value)
            object.__delattr__(self, name)

    odd = Odd()               # as with dataclasses: the hook's deletion stands
    with pytest.raises(AttributeError, match="has no attribute 'a'"):
        odd.a
