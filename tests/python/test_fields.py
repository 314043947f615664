"""Fields and defaults: order, default values, default_factory, field(), Field objects."""

import dataclasses
import types

import pytest

import typehost
from typehost import MISSING, Object, RegistrationError, field, py_class


def test_fields_keep_declaration_order(key):
    @py_class(key)
    class Record(Object):
        b: int
        a: str
        c: float

    assert [f.name for f in typehost.fields(Record)] == ["b", "a", "c"]
    assert Record.__match_args__ == ("b", "a", "c")


def test_non_default_field_after_default_is_refused_as_in_dataclasses(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            x: int = 0
            y: int

    assert str(info.value) == "non-default argument 'y' follows default argument"
    assert key not in typehost.type_keys()


@pytest.mark.parametrize("annotation, default, shown", [
    ("list", [], "<class 'list'>"),
    ("dict", {}, "<class 'dict'>"),
    ("list[int]", [1], "<class 'list'>"),
])
def test_mutable_default_is_refused_with_the_dataclasses_message(key, annotation, default, shown):
    with pytest.raises(ValueError) as info:
        py_class(key)(type("Bad", (Object,), {"__annotations__": {"x": annotation}, "x": default}))

    assert str(info.value) == f"mutable default {shown} for field x is not allowed: use default_factory"
    assert key not in typehost.type_keys()


def test_unhashable_object_default_is_refused_as_mutable(new_key):
    @py_class(new_key())
    class Point(Object):
        x: float = 0.0

    with pytest.raises(ValueError, match=r"mutable default <class '.*Point'> for field start is not allowed"):
        @py_class(new_key())
        class Line(Object):
            start: Point = Point()


def test_frozen_object_default_is_allowed_and_each_instance_gets_an_equal_value(new_key):
    @py_class(new_key(), frozen=True)
    class Point(Object):
        x: float = 0.0

    @py_class(new_key())
    class Line(Object):
        start: Point = Point(1.0)

    assert Line().start == Point(1.0)
    assert Line().start == Line().start
    # Documented difference: each instance gets its own copy of an object default, where
    # dataclasses would share the one default object.
    assert Line().start is not Line().start


def test_plain_default_applies_when_argument_is_omitted(key):
    @py_class(key)
    class Config(Object):
        name: str = "main"
        retries: int = 3
        ratio: float = 0.5
        tags: tuple[str, ...] = ("a", "b")

    c = Config()
    assert (c.name, c.retries, c.ratio, c.tags) == ("main", 3, 0.5, ("a", "b"))
    assert Config(name="other").name == "other"


def test_default_of_the_wrong_type_is_refused_naming_key_and_field(key):
    with pytest.raises(typehost.RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            n: int = "three"

    assert str(info.value) == f"{key}.n: default expected int, got str"
    assert key not in typehost.type_keys()


def test_default_factory_runs_for_every_instance(key):
    calls = []

    def make():
        calls.append(1)
        return ["x"]

    @py_class(key)
    class Holder(Object):
        items: list[str] = field(default_factory=make)

    a, b = Holder(), Holder()
    a.items.append("y")
    assert b.items == ["x"]
    assert a.items == ["x", "y"]
    assert len(calls) == 2
    Holder(["given"])
    assert len(calls) == 2


def test_default_factory_result_is_validated(key):
    @py_class(key)
    class Holder(Object):
        items: list[int] = field(default_factory=lambda: [1, "two"])

    with pytest.raises(TypeError) as info:
        Holder()
    assert str(info.value) == f"{key}.items[1]: expected int, got str"


def test_list_and_dict_defaults_are_not_shared_between_instances(key):
    @py_class(key)
    class Holder(Object):
        items: list[int] = field(default_factory=list)
        index: dict[str, int] = field(default_factory=dict)

    a, b = Holder(), Holder()
    a.items.append(1)
    a.index["k"] = 1
    assert b.items == [] and b.index == {}


def test_default_and_default_factory_together_are_refused():
    with pytest.raises(ValueError) as info:
        field(default=1, default_factory=int)
    assert str(info.value) == "cannot specify both default and default_factory"


def test_field_without_annotation_is_refused(key):
    with pytest.raises(RegistrationError) as info:
        @py_class(key)
        class Bad(Object):
            x: int
            y = field(default=1)

    assert str(info.value) == "'y' is a field but has no type annotation"
    assert key not in typehost.type_keys()


def test_init_false_field_takes_its_default(key):
    @py_class(key)
    class Counter(Object):
        name: str
        count: int = field(default=0, init=False)
        seen: list[str] = field(default_factory=list, init=False)

    c = Counter("a")
    assert (c.count, c.seen) == (0, [])
    with pytest.raises(TypeError, match="unexpected keyword argument 'count'"):
        Counter("a", count=1)


def test_field_objects_describe_every_option(key):
    @py_class(key)
    class Item(Object):
        name: str = field(doc="The item name.", metadata={"unit": "none"})
        size: int = field(default=1, repr=False, compare=False, hash=True, kw_only=True)
        tags: list[str] = field(default_factory=list, init=False)

    name, size, tags = typehost.fields(Item)
    assert isinstance(name, typehost.Field) and isinstance(name, dataclasses.Field)
    assert (name.name, name.type, name.schema) == ("name", str, "str")
    assert name.default is MISSING and name.default_factory is MISSING
    assert (name.init, name.repr, name.compare, name.hash, name.kw_only) == (True, True, True, None, False)
    assert name.doc == "The item name."
    assert name.metadata == {"unit": "none"} and isinstance(name.metadata, types.MappingProxyType)
    assert (size.default, size.repr, size.compare, size.hash, size.kw_only) == (1, False, False, True, True)
    assert tags.default_factory is list and tags.init is False
    assert (tags.type, tags.schema) == (list[str], "list[str]")


def test_fields_accepts_an_instance(key):
    @py_class(key)
    class Item(Object):
        name: str

    assert typehost.fields(Item("x")) == typehost.fields(Item)


def test_fields_of_a_non_registered_value_is_refused():
    with pytest.raises(TypeError) as info:
        typehost.fields(3)
    assert str(info.value) == "must be called with a dataclass type or instance"


@pytest.mark.parametrize("as_instance", [False, True])
def test_fields_of_a_plain_dataclass_is_refused_and_says_why(as_instance):
    @dataclasses.dataclass
    class Plain:
        x: int = 0

    with pytest.raises(TypeError) as info:
        typehost.fields(Plain() if as_instance else Plain)
    assert "Plain is a plain dataclass" in str(info.value)
    assert "dataclasses.fields()" in str(info.value)


def test_dataclasses_field_works_like_typehost_field(key):
    @py_class(key)
    class Item(Object):
        name: str = dataclasses.field(default="n", metadata={"k": 1})
        tags: list[str] = dataclasses.field(default_factory=list, repr=False)

    item = Item()
    assert item.name == "n" and item.tags == []
    assert repr(item) == f"{Item.__qualname__}(name='n')"
    assert typehost.fields(Item)[0].metadata == {"k": 1}
    assert typehost.fields(Item)[1].schema == "list[str]"


def test_field_doc_is_the_descriptor_doc(key):
    @py_class(key)
    class Item(Object):
        name: str = field(doc="The item name.")

    assert Item.__dict__["name"].__doc__ == "The item name."
    assert typehost.type_info(key).fields[0].doc == "The item name."


def test_asdict_recurses_into_objects_and_containers(new_key):
    @py_class(new_key())
    class Point(Object):
        x: float
        y: float

    @py_class(new_key())
    class Shape(Object):
        points: list[Point]
        named: dict[str, Point]
        pair: tuple[Point, Point]

    p, q = Point(1, 2), Point(3, 4)
    d = typehost.asdict(Shape([p], {"q": q}, (p, q)))
    assert d == {"points": [{"x": 1.0, "y": 2.0}], "named": {"q": {"x": 3.0, "y": 4.0}},
                 "pair": ({"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0})}
    assert type(d["points"]) is list and type(d["named"]) is dict


def test_asdict_of_a_non_object_is_refused():
    with pytest.raises(TypeError) as info:
        typehost.asdict({"x": 1})
    assert str(info.value) == "asdict() should be called on typehost object instances"
