"""Redefining a key: the same owner replaces the type and old instances go stale; a failed
redefinition leaves the old type active and not stale."""

import gc
import weakref

import pytest

import typehost
from typehost import Object, RegistrationError, field, py_class


def define_v1(key):
    @py_class(key)
    class Version(Object):
        x: int
        tags: list[str] = field(default_factory=list)

    return Version


def test_redefinition_replaces_the_type(key):
    V1 = define_v1(key)

    @py_class(key)
    class V2(Object):
        x: int
        y: str = "new"

    info = typehost.type_info(key)
    assert [f.name for f in info.fields] == ["x", "y"]
    assert info.generation == typehost.type_info(V1(0)).generation + 1
    assert typehost.get_class(key) is V2
    assert V2(1).y == "new"


def test_old_instances_keep_working_and_report_stale(key):
    V1 = define_v1(key)
    old = V1(1, ["a"])

    @py_class(key)
    class V2(Object):
        x: int

    assert typehost.type_info(old).stale is True
    assert typehost.type_info(V2(1)).stale is False
    assert (old.x, old.tags) == (1, ["a"])
    old.x = 2
    old.tags.append("b")
    assert repr(old) == f"{V1.__qualname__}(x=2, tags=['a', 'b'])"
    assert old == V1(2, ["a", "b"])
    # Not written: the current version (x only) would refuse the document ("unknown field").
    with pytest.raises(typehost.ValidationError,
                       match=rf"a stale instance of a previous version of {key} .*whose field 'tags' the current "
                             r"version does not have; migrate it"):
        typehost.to_json(old)
    with pytest.raises(TypeError, match=f"{key}.x: expected int, got str"):
        old.x = "bad"

    @py_class(key)
    class V3(Object):
        x: int
        tags: list[str] = field(default_factory=list)
        note: str = ""

    # Written once the current version reads it back (as a current instance).
    text = typehost.to_json(old)
    assert text == f'{{"$type":"{key}","x":2,"tags":["a","b"]}}'
    assert typehost.from_json(text) == V3(2, ["a", "b"])


def test_index_is_kept_across_redefinition(key):
    define_v1(key)
    index = typehost.type_info(key).index

    @py_class(key)
    class V2(Object):
        x: int

    assert typehost.type_info(key).index == index


@pytest.mark.parametrize("bad_body", [
    {"__annotations__": {"x": int, "y": set}},
    {"__annotations__": {"x": int}, "x": "not an int"},
    {"__annotations__": {"x": int, "y": int}, "x": 0},
    {"__annotations__": {"x": "len(1)"}},
], ids=["annotation", "default", "field-order", "expression"])
def test_failed_redefinition_leaves_the_old_type_active_and_not_stale(key, bad_body):
    V1 = define_v1(key)
    old = V1(1)
    generation = typehost.type_info(key).generation

    with pytest.raises(TypeError):   # RegistrationError is a TypeError too
        py_class(key)(type("Broken", (Object,), dict(bad_body)))

    info = typehost.type_info(key)
    assert info.stale is False and info.generation == generation
    assert [f.name for f in info.fields] == ["x", "tags"]
    assert typehost.type_info(old).stale is False
    assert typehost.get_class(key) is V1
    assert V1(2, ["t"]).tags == ["t"]
    assert typehost.from_json(f'{{"$type":"{key}","x":3}}') == V1(3)


def test_failed_redefinition_with_a_forward_reference_leaves_the_old_type(key):
    V1 = define_v1(key)

    @py_class(key)
    class Waiting(Object):
        x: "NotDefinedAnywhere"

    assert typehost.type_info(key).stale is False
    assert typehost.get_class(key) is V1
    with pytest.raises(TypeError, match="not defined yet"):
        Waiting(1)


def test_redefinition_with_a_subclass_relation_keeps_working(new_key):
    base_key, derived_key = new_key(), new_key()

    @py_class(base_key)
    class Base(Object):
        a: int

    @py_class(derived_key)
    class Derived(Base):
        b: int = 0

    d = Derived(1, 2)

    @py_class(derived_key)
    class Derived2(Base):
        b: int = 0
        c: int = 0

    assert typehost.type_info(d).stale is True
    assert Derived2(1).c == 0
    assert typehost.type_info(Derived2).parent == base_key


def test_redefinition_by_another_owner_is_refused(key):
    from typehost._registration import state
    previous = state.current_plugin
    state.current_plugin = "someone"
    try:
        define_v1(key)
    finally:
        state.current_plugin = previous
    with pytest.raises(RegistrationError, match="the key is owned by 'plugin:someone'"):
        define_v1(key)
    assert typehost.type_info(key).stale is False


def test_instance_made_before_its_class_was_decorated_again_keeps_its_fields(key):
    V1 = define_v1(key)
    old = V1(3, ["a"])
    V1.__annotations__ = {"x": int, "label": str}
    V1.label = "again"
    assert py_class(key)(V1) is V1
    assert V1(4).label == "again"
    assert typehost.type_info(old).stale is True
    # old still has the fields it was made with, read and written through its own type
    assert (old.x, old.tags) == (3, ["a"])
    old.x = 5
    assert old.x == 5 and repr(old) == f"{V1.__qualname__}(x=5, tags=['a'])"
    with pytest.raises(AttributeError, match="has no attribute 'label'"):
        old.label
    assert old != V1(5)


@py_class("tests.redefinition.Holder")
class Holder(Object):
    items: list[Object] = field(default_factory=list)


def test_instance_kept_only_in_storage_outlives_its_replaced_class(key):
    V1 = define_v1(key)
    holder = Holder([V1(7, ["a"])])
    old_class = weakref.ref(V1)
    del V1
    V2 = define_v1(key)   # the same qualified name: the old class is no longer referenced
    gc.collect()
    assert old_class() is None   # the replaced class is gone; its instance lives in storage
    item = holder.items[0]
    assert type(item) is not V2
    assert (item.x, item.tags) == (7, ["a"])
    item.tags.append("b")
    assert typehost.type_info(item).stale is True
    assert typehost.to_json(item) == f'{{"$type":"{key}","x":7,"tags":["a","b"]}}'
