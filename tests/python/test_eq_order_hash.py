"""__eq__, order=True and the dataclasses table that decides __hash__."""

import dataclasses
from typing import Optional

import pytest

from typehost import Object, RegistrationError, field, py_class


def test_equal_fields_compare_equal(key):
    @py_class(key)
    class Point(Object):
        x: float
        y: float
        tags: list[str] = field(default_factory=list)

    assert Point(1, 2, ["a"]) == Point(1.0, 2.0, ["a"])
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2, ["a"]) != Point(1, 2, ["b"])


def test_eq_with_another_class_returns_not_implemented(new_key):
    @py_class(new_key())
    class A(Object):
        x: int

    @py_class(new_key())
    class B(Object):
        x: int

    assert A(1).__eq__(B(1)) is NotImplemented
    assert A(1).__eq__((1,)) is NotImplemented
    assert A(1) != B(1)
    assert A(1) != 1


def test_eq_with_a_subclass_instance_is_not_equal_as_in_dataclasses(new_key):
    @py_class(new_key())
    class Base(Object):
        x: int

    @py_class(new_key())
    class Derived(Base):
        pass

    assert Base(1) != Derived(1)


def test_compare_false_fields_are_ignored_by_eq(key):
    @py_class(key)
    class Entry(Object):
        name: str
        cache: int = field(default=0, compare=False)

    assert Entry("a", 1) == Entry("a", 2)


def test_eq_false_keeps_identity_equality(key):
    @py_class(key, eq=False)
    class Handle(Object):
        x: int

    h = Handle(1)
    assert h == h
    assert Handle(1) != Handle(1)


def test_user_written_eq_is_kept(key):
    @py_class(key)
    class Loose(Object):
        x: int

        def __eq__(self, other):
            return True

    assert Loose(1) == "anything"


def test_order_compares_fields_as_tuples(key):
    @py_class(key, order=True)
    class Version(Object):
        major: int
        minor: int = 0
        note: str = field(default="", compare=False)

    assert Version(1, 2) < Version(1, 3) <= Version(1, 3) < Version(2)
    assert Version(2) > Version(1, 9) >= Version(1, 9)
    assert sorted([Version(2), Version(1, 5), Version(1)]) == [Version(1), Version(1, 5), Version(2)]
    assert not Version(1, note="b") < Version(1, note="a")


def test_order_with_other_types_is_a_type_error(key):
    @py_class(key, order=True)
    class Version(Object):
        major: int

    with pytest.raises(TypeError) as info:
        Version(1) < 2
    assert str(info.value) == "'<' not supported between instances of 'Version' and 'int'"


def test_order_requires_eq(key):
    with pytest.raises(ValueError) as info:
        @py_class(key, order=True, eq=False)
        class Bad(Object):
            x: int

    assert str(info.value) == "eq must be true if order is true"


def test_order_refuses_user_written_comparison(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key, order=True)
        class Bad(Object):
            x: int

            def __lt__(self, other):
                return False

    assert str(info.value) == ("Cannot overwrite attribute __lt__ in class Bad. "
                               "Consider using functools.total_ordering")


def _hash_outcome(deco, bases, explicit_hash):
    ns = {"__annotations__": {"x": int}}
    if explicit_hash:
        ns["__hash__"] = lambda self: 42
    try:
        cls = deco(type("C", bases, ns))
    except TypeError as e:
        return ("error", str(e))
    obj = cls(1)
    if cls.__hash__ is None:
        with pytest.raises(TypeError, match="unhashable type: 'C'"):
            hash(obj)
        return ("unhashable",)
    h = hash(obj)
    if h == 42:
        return ("explicit",)
    if h == hash((1,)):
        return ("fields",)
    assert h == object.__hash__(obj)
    return ("identity",)


# Every row of the table in dataclasses' source: (unsafe_hash, eq, frozen, explicit __hash__).
HASH_TABLE = [
    (False, False, False, False, ("identity",)),
    (False, False, False, True, ("explicit",)),
    (False, False, True, False, ("identity",)),
    (False, False, True, True, ("explicit",)),
    (False, True, False, False, ("unhashable",)),
    (False, True, False, True, ("explicit",)),
    (False, True, True, False, ("fields",)),
    (False, True, True, True, ("explicit",)),
    (True, False, False, False, ("fields",)),
    (True, False, False, True, ("error", "Cannot overwrite attribute __hash__ in class C")),
    (True, False, True, False, ("fields",)),
    (True, False, True, True, ("error", "Cannot overwrite attribute __hash__ in class C")),
    (True, True, False, False, ("fields",)),
    (True, True, False, True, ("error", "Cannot overwrite attribute __hash__ in class C")),
    (True, True, True, False, ("fields",)),
    (True, True, True, True, ("error", "Cannot overwrite attribute __hash__ in class C")),
]


@pytest.mark.parametrize("unsafe_hash, eq, frozen, explicit, expected", HASH_TABLE)
def test_hash_follows_the_dataclasses_table(new_key, unsafe_hash, eq, frozen, explicit, expected):
    ours = _hash_outcome(py_class(new_key(), eq=eq, frozen=frozen, unsafe_hash=unsafe_hash),
                         (Object,), explicit)
    theirs = _hash_outcome(dataclasses.dataclass(eq=eq, frozen=frozen, unsafe_hash=unsafe_hash),
                           (), explicit)
    assert ours == theirs == expected


def test_field_hash_false_and_compare_false_leave_fields_out_of_hash(key):
    @py_class(key, frozen=True)
    class Entry(Object):
        name: str
        note: str = field(default="", hash=False)
        cache: int = field(default=0, compare=False)

    assert hash(Entry("a", "x", 1)) == hash(Entry("a", "y", 2)) == hash(("a",))


def test_field_hash_true_includes_a_compare_false_field(key):
    @py_class(key, frozen=True)
    class Entry(Object):
        name: str
        cache: int = field(default=0, compare=False, hash=True)

    assert hash(Entry("a", 1)) == hash(("a", 1))


def test_frozen_objects_work_as_dict_keys_and_in_sets(key):
    @py_class(key, frozen=True)
    class Point(Object):
        x: float
        y: float

    seen = {Point(1, 2): "a"}
    assert seen[Point(1.0, 2.0)] == "a"
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2


def test_eq_on_a_cyclic_graph_raises_recursion_error(key):
    @py_class(key)
    class Node(Object):
        value: int
        next: Optional["Node"] = None

    def ring():
        a = Node(1)
        a.next = Node(2, a)
        return a

    with pytest.raises(RecursionError):
        ring() == ring()


def test_hash_on_a_cyclic_graph_raises_recursion_error(key):
    @py_class(key, unsafe_hash=True)
    class Node(Object):
        value: int
        next: Optional["Node"] = None

    a = Node(1)
    a.next = Node(2, a)
    with pytest.raises(RecursionError):
        hash(a)


def test_nan_fields_never_compare_equal(key):
    # Documented difference: dataclasses compare field tuples, where the same NaN object is
    # equal to itself by identity; floats are stored unboxed here, so NaN is never equal.
    import math

    @py_class(key)
    class Reading(Object):
        value: float

    nan = math.nan
    assert Reading(nan) != Reading(nan)
    r = Reading(nan)
    assert r == r   # the same object is still equal to itself


def test_int_and_float_fields_compare_by_value(new_key):
    @py_class(new_key())
    class Mixed(Object):
        n: int
        f: float
        a: object = None

    assert Mixed(1, 1) == Mixed(1, 1.0)
    assert Mixed(1, 0.0, 2) == Mixed(1, 0.0, 2.0)


def test_hash_equals_the_hash_of_the_field_tuple_for_every_field_kind(key):
    @py_class(key, frozen=True)
    class Mixed(Object):
        f: float
        i: int
        s: str
        b: bool
        n: Optional[int] = None
        t: tuple[int, ...] = ()

    m = Mixed(-1.5, -1, "é", True, None, (1, 2))
    assert hash(m) == hash((-1.5, -1, "é", True, None, (1, 2)))
    assert hash(Mixed(0.0, 2**40, "", False)) == hash((0.0, 2**40, "", False, None, ()))


def test_hash_of_a_class_without_hashed_fields_is_the_empty_tuple_hash(key):
    @py_class(key, frozen=True)
    class Quiet(Object):
        note: str = field(default="", hash=False)

    assert hash(Quiet("a")) == hash(Quiet("b")) == hash(())


def test_hash_of_an_unhashable_field_raises_type_error(key):
    @py_class(key, unsafe_hash=True)
    class Bag(Object):
        items: list[int] = field(default_factory=list)

    with pytest.raises(TypeError, match="unhashable type"):
        hash(Bag([1]))


def test_comparing_objects_with_an_unset_field_names_that_field(key):
    @py_class(key)
    class Pair(Object):
        n: int
        s: str

        def __init__(self):
            pass   # a user __init__ that sets nothing

    a, b = Pair(), Pair()
    with pytest.raises(AttributeError, match="'Pair' object has no attribute 'n'"):
        a == b
    a.n = b.n = 1
    with pytest.raises(AttributeError, match="'Pair' object has no attribute 's'"):
        a == b
    a.s = "x"
    with pytest.raises(AttributeError, match="'Pair' object has no attribute 's'"):
        a == b   # b's s is the unset one
    b.s = "".join(["x"])   # an equal str that is not the same object
    assert a == b and not (a != b)
    b.s = "y"
    assert a != b
