"""Stale instances (issue 13): an instance made before its type was redefined, or before its
plugin was reloaded or unloaded, is refused wherever a current value is stored, never written
as JSON the current registry would refuse, stays readable and printable, and migrates to the
current version with typehost.migrate() or, for published values, with the reload itself."""

from __future__ import annotations

import enum
import json
from typing import Any, Optional, Union

import pytest

import typehost
from typehost import Object, ValidationError, field, py_class

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures

STALE = r"a stale instance of a previous version of {key} \(generation \d+: .*\); make a current one with " \
        r"typehost\.migrate\(value\), or construct a new {key}"


def stale(key: str, where: str = "") -> str:
    """The pattern of the TypeError for a stale instance of key stored at `where`."""
    prefix = f"{where}: " if where else ""
    return "^" + prefix.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]") + \
        STALE.format(key=key.replace(".", r"\."))


def redefine(key: str, **annotations):
    """Registers key again with these fields (each with a default unless given as a tuple
    (type, ...) meaning required)."""
    ns: dict = {"__annotations__": {}}
    for name, spec in annotations.items():
        if isinstance(spec, tuple):
            ns["__annotations__"][name] = spec[0]
        else:
            ns["__annotations__"][name] = type(spec) if not isinstance(spec, type) else spec
            if not isinstance(spec, type):
                ns[name] = spec
    return py_class(key)(type(key.rsplit(".", 1)[-1], (Object,), ns))


@pytest.fixture
def item_key(new_key):
    return new_key()


@pytest.fixture
def old_item(item_key):
    """An instance of the first version of a type (name, weight), then the type redefined
    without weight; returns (old instance, current class)."""
    @py_class(item_key)
    class Item(Object):
        name: str
        weight: float = 1.0

    old = Item("a", 2.0)

    @py_class(item_key)
    class Item(Object):  # noqa: F811 - the redefinition is the point
        name: str

    return old, Item


@pytest.fixture
def holder(new_key, old_item):
    _, Item = old_item
    key = new_key()

    @py_class(key)
    class Holder(Object):
        items: list[Item] = field(default_factory=list)
        by_name: dict[str, Item] = field(default_factory=dict)
        one: Optional[Item] = None
        either: Union[Item, int] = 0
        anything: Any = None
        obj: Optional[Object] = None

    return Holder, key


# ---------------------------------------------------------------------------------------
# Refused where a current value is stored


@pytest.mark.parametrize("where, store", [
    ("items[0]", lambda H, old: H([old])),
    ("by_name['k']", lambda H, old: H(by_name={"k": old})),
    ("one", lambda H, old: H(one=old)),
    ("either", lambda H, old: H(either=old)),
    ("anything", lambda H, old: H(anything=old)),
    ("anything[0]", lambda H, old: H(anything=[old])),
    ("obj", lambda H, old: H(obj=old)),
], ids=["list", "dict", "optional", "union", "any", "any-list", "any-object"])
def test_constructing_with_a_stale_instance_is_a_type_error_naming_the_field_path(holder, old_item, where, store):
    H, key = holder
    old, Item = old_item
    with pytest.raises(TypeError, match=stale(Item.__typehost_key__, f"{key}.{where}")):
        store(H, old)


@pytest.mark.parametrize("where, write_", [
    ("items[0]", lambda h, old: h.items.append(old)),
    ("items[0]", lambda h, old: h.items.insert(0, old)),
    ("items[0]", lambda h, old: h.items.extend([old])),
    ("items[1]", lambda h, old: h.items.__iadd__([old])),
    ("items[0]", lambda h, old: h.items.__setitem__(0, old)),
    ("items[0]", lambda h, old: h.items.__setitem__(slice(0, 1), [old])),
    ("by_name['k']", lambda h, old: h.by_name.__setitem__("k", old)),
    ("by_name['k']", lambda h, old: h.by_name.update(k=old)),
    ("by_name['k']", lambda h, old: h.by_name.setdefault("k", old)),
    ("one", lambda h, old: setattr(h, "one", old)),
    ("anything", lambda h, old: setattr(h, "anything", old)),
], ids=["append", "insert", "extend", "iadd", "setitem", "slice", "dict-set", "update", "setdefault",
        "field", "any-field"])
def test_writing_a_stale_instance_into_a_container_or_field_changes_nothing(holder, old_item, where, write_):
    H, key = holder
    old, Item = old_item
    h = H()
    if write_.__code__.co_names[-1] in ("__setitem__", "__iadd__") and where.startswith("items"):
        h.items.append(Item("first"))   # an element to replace, or to add after
    before = typehost.to_json(h)
    with pytest.raises(TypeError, match=stale(Item.__typehost_key__, f"{key}.{where}")):
        write_(h, old)
    assert typehost.to_json(h) == before


def test_replace_with_a_stale_instance_is_refused(holder, old_item):
    H, key = holder
    old, Item = old_item
    h = H()
    with pytest.raises(TypeError, match=stale(Item.__typehost_key__, f"{key}.one")):
        typehost.replace(h, one=old)
    assert h.one is None


def test_convert_of_data_holding_a_stale_instance_is_refused(old_item):
    old, Item = old_item
    with pytest.raises(ValidationError, match="stale instance of a previous version"):
        typehost.convert([old], list[Item])
    assert typehost.convert([Item("z")], list[Item]) == [Item("z")]   # current typed values are taken


def test_publishing_a_stale_instance_is_refused(old_item):
    old, Item = old_item
    with pytest.raises(ValidationError, match="stale instance of a previous version"):
        typehost.publish("tests.stale.published", old)
    assert "tests.stale.published" not in typehost.published()


def test_a_stale_instance_stays_readable_printable_and_writable_itself(old_item):
    old, Item = old_item
    assert (old.name, old.weight) == ("a", 2.0)
    assert repr(old).endswith("Item(name='a', weight=2.0)")
    old.weight = 3.0
    assert old.weight == 3.0
    assert typehost.type_info(old).stale is True
    assert not isinstance(old, Item)


def test_a_stale_enum_member_is_refused_with_what_to_use(new_key):
    key = new_key()

    class Kind(enum.Enum):
        A = 1
        B = 2

    old_member = Kind.A

    @py_class(key)
    class Box(Object):
        kind: Kind = Kind.B

    class Kind(enum.Enum):  # noqa: F811 - the enum redefined (a reload runs its module again)
        A = 1
        B = 2

    @py_class(key)
    class Box(Object):  # noqa: F811
        kind: Kind = Kind.B

    with pytest.raises(TypeError, match=r"kind: expected .*Kind, got a member of a previous version of .*Kind "
                                        r"\(<Kind\.A: 1>: the enum was redefined or its plugin reloaded.*\); "
                                        r"use the current class's member, or typehost\.migrate\(value\)"):
        Box(old_member)
    assert typehost.migrate(old_member) is Kind.A
    assert Box(typehost.migrate(old_member)).kind is Kind.A


# ---------------------------------------------------------------------------------------
# JSON: never a document the current registry would refuse


def test_json_of_a_stale_instance_the_current_version_cannot_read_is_refused(old_item, holder):
    old, Item = old_item
    key = Item.__typehost_key__
    with pytest.raises(ValidationError, match=rf"stale instance of a previous version of {key} .*whose field "
                                              r"'weight' the current version does not have; migrate it"):
        typehost.to_json(old)
    with pytest.raises(ValidationError, match=r"^/1: a stale instance"):
        typehost.to_json([1, old])


def test_json_of_a_stale_instance_the_current_version_reads_back_is_written(item_key):
    @py_class(item_key)
    class Item(Object):
        name: str

    old = Item("a")

    @py_class(item_key)
    class Item(Object):  # noqa: F811
        name: str
        weight: float = 1.0

    text = typehost.to_json(old)
    assert text == f'{{"$type":"{item_key}","name":"a"}}'
    back = typehost.from_json(text)
    assert type(back) is Item and back == Item("a", 1.0)


def test_json_of_a_stale_instance_whose_field_was_retyped_is_refused(item_key):
    @py_class(item_key)
    class Item(Object):
        size: str = "big"

    old = Item()

    @py_class(item_key)
    class Item(Object):  # noqa: F811
        size: int = 0

    with pytest.raises(ValidationError, match=r"field 'size' does not fit the current version: expected int"):
        typehost.to_json(old)


def test_json_of_a_current_container_that_holds_a_stale_instance_names_its_pointer(new_key, item_key):
    @py_class(item_key)
    class Item(Object):
        name: str
        weight: float = 1.0

    bag_key = new_key()

    @py_class(bag_key)
    class Bag(Object):
        items: list[Object] = field(default_factory=list)

    bag = Bag([Item("a"), Item("b")])
    redefine(item_key, name=(str,))
    with pytest.raises(ValidationError, match=r"^/items/0: a stale instance"):
        typehost.to_json(bag)


# ---------------------------------------------------------------------------------------
# typehost.migrate()


def test_migrate_carries_fields_by_name_and_takes_defaults_for_new_fields(item_key):
    @py_class(item_key)
    class Item(Object):
        name: str
        weight: float = 1.0

    old = Item("a", 2.5)

    @py_class(item_key)
    class Item(Object):  # noqa: F811
        name: str
        weight: float = 1.0
        tags: list[str] = field(default_factory=list)

    new = typehost.migrate(old)
    assert type(new) is Item and new == Item("a", 2.5, [])
    assert typehost.type_info(new).stale is False
    assert typehost.migrate(new) is new   # current values come back as they are
    assert typehost.to_json(new) == f'{{"$type":"{item_key}","name":"a","weight":2.5,"tags":[]}}'


@pytest.mark.parametrize("second, why", [
    ({"name": (str,)}, r"field 'weight' is not in the current version \(its value would be lost\)"),
    ({"name": (str,), "weight": (str,)}, r"weight: expected str, got float \(the field's type changed\)"),
    ({"name": (str,), "weight": (float,), "count": (int,)}, r"field 'count' is new and has no default"),
], ids=["dropped", "retyped", "new-required"])
def test_migrate_of_a_value_that_does_not_fit_raises_and_changes_nothing(item_key, new_key, second, why):
    @py_class(item_key)
    class Item(Object):
        name: str
        weight: float = 1.0

    box_key = new_key()

    @py_class(box_key)
    class Box(Object):
        items: list[Object] = field(default_factory=list)

    good = Item("g")
    old = Item("a", 2.0)
    box = Box([good, old])
    redefine(item_key, **second)
    with pytest.raises(ValidationError, match="cannot migrate Box: .*" + why):
        typehost.migrate(box)
    assert box.items[0] is good and box.items[1] is old   # nothing replaced
    assert typehost.type_info(box.items[0]).stale


def test_migrate_of_a_removed_type_says_it_is_no_longer_registered(item_key):
    import _typehost

    @py_class(item_key)
    class Item(Object):
        name: str = ""

    old = Item()
    owner = typehost.type_info(item_key).owner
    _typehost._remove([item_key], owner)
    with pytest.raises(ValidationError, match=f"{item_key} is no longer registered"):
        typehost.migrate(old)


def test_migrate_keeps_sharing_and_cycles_and_changes_current_containers_in_place(item_key, new_key):
    @py_class(item_key)
    class Node(Object):
        name: str
        other: Optional[Object] = None

    a, b = Node("a"), Node("b")
    a.other, b.other = b, a
    box_key = new_key()

    @py_class(box_key)
    class Box(Object):
        items: list[Object] = field(default_factory=list)
        index: dict[str, Object] = field(default_factory=dict)

    box = Box([a, a, b], {"b": b})
    items_view = box.items

    @py_class(item_key)
    class Node(Object):  # noqa: F811
        name: str
        other: Optional[Object] = None
        note: str = ""

    assert typehost.migrate(box) is box
    first, second, third = box.items
    assert type(first) is Node and first is second            # shared: one new object
    assert first.other is third and third.other is first       # the cycle, between new objects
    assert box.index["b"] is third
    assert items_view[0] is first                              # the same list, changed in place
    assert first.note == "" and typehost.type_info(third).stale is False


def test_migrate_rebuilds_plain_containers_and_leaves_scalars(old_item):
    old, Item = old_item
    New = redefine(Item.__typehost_key__, name=(str,), weight=1.0)
    out = typehost.migrate({"x": [old, 1], "y": (old,), "z": "s"})
    assert out["x"][0] == out["y"][0] == New("a", 2.0) and type(out["x"][0]) is New
    assert out["x"][1] == 1 and out["z"] == "s" and isinstance(out["y"], tuple)


# ---------------------------------------------------------------------------------------
# Plugin reloads: stale data refused, published values migrated


ITEMS_V1 = """
    from typehost import Object, py_class, field
    import enum

    class Shape(enum.Enum):
        ROUND = "round"
        SQUARE = "square"

    @py_class("tests.stale_plugin.Item")
    class Item(Object):
        name: str
        weight: float = 1.0
        shape: Shape = Shape.ROUND

    @py_class("tests.stale_plugin.Holder")
    class Holder(Object):
        items: list[Item] = field(default_factory=list)
"""

ITEMS_V2_ADDS = ITEMS_V1 + """
    @py_class("tests.stale_plugin.Item")
    class Item(Object):
        name: str
        weight: float = 1.0
        shape: Shape = Shape.ROUND
        colour: str = "red"

    @py_class("tests.stale_plugin.Holder")
    class Holder(Object):
        items: list[Item] = field(default_factory=list)
"""

ITEMS_V2_DROPS = """
    from typehost import Object, py_class, field
    import enum

    class Shape(enum.Enum):
        ROUND = "round"
        SQUARE = "square"

    @py_class("tests.stale_plugin.Item")
    class Item(Object):
        name: str
        shape: Shape = Shape.ROUND

    @py_class("tests.stale_plugin.Holder")
    class Holder(Object):
        items: list[Item] = field(default_factory=list)
"""


@pytest.fixture
def items_plugin(tmp_path, manager):
    path = write(tmp_path / "p" / "stale_items.py", ITEMS_V1)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["stale_items"].state == "loaded", m.plugins["stale_items"].error
    yield m, path
    for name in ("tests.stale.box", "tests.stale.loose", "tests.stale.heavy"):
        if name in typehost.published():
            typehost.unpublish(name)


def current(key):
    return typehost.get_class(key)


def test_after_a_reload_an_old_instance_is_refused_in_construct_append_and_fields(items_plugin):
    m, path = items_plugin
    old = current("tests.stale_plugin.Item")("a")
    write(path, ITEMS_V2_ADDS)
    assert m.reload("stale_items").ok
    Holder = current("tests.stale_plugin.Holder")
    with pytest.raises(TypeError, match=stale("tests.stale_plugin.Item", "tests.stale_plugin.Holder.items[0]")):
        Holder([old])
    h = Holder()
    with pytest.raises(TypeError, match=stale("tests.stale_plugin.Item", "tests.stale_plugin.Holder.items[0]")):
        h.items.append(old)
    assert list(h.items) == []
    new = typehost.migrate(old)
    h.items.append(new)
    assert typehost.from_json(typehost.to_json(h)) == h   # the round trip holds again


def test_after_a_reload_an_old_enum_member_is_refused_and_migrates_by_name(items_plugin):
    m, path = items_plugin
    Shape = type(current("tests.stale_plugin.Item")("a").shape)
    old_member = Shape.SQUARE
    write(path, ITEMS_V2_ADDS)
    assert m.reload("stale_items").ok
    Item = current("tests.stale_plugin.Item")
    with pytest.raises(TypeError, match=r"shape: expected .*Shape, got a member of a previous version"):
        Item("a", shape=old_member)
    assert Item("a", shape=typehost.migrate(old_member)).shape.value == "square"


def test_a_reload_migrates_published_values_and_reports_each(items_plugin):
    m, path = items_plugin
    Item, Holder = current("tests.stale_plugin.Item"), current("tests.stale_plugin.Holder")
    shared = Item("shared", 2.0)
    box = Holder([shared, Item("b"), shared])
    typehost.publish("tests.stale.box", box)
    typehost.publish("tests.stale.loose", [shared, 7])
    write(path, ITEMS_V2_ADDS)
    report = m.reload("stale_items")
    assert report.ok, report.error
    by_name = {v["name"]: v for v in report.values}
    assert by_name["tests.stale.box"] == {"name": "tests.stale.box", "migrated": True, "objects": 3, "issues": []}
    assert by_name["tests.stale.loose"]["migrated"] is True
    now = typehost.published()["tests.stale.box"]
    NewItem = current("tests.stale_plugin.Item")
    assert type(now) is current("tests.stale_plugin.Holder")
    assert [type(i) is NewItem for i in now.items] == [True, True, True]
    assert now.items[0] is now.items[2] and now.items[0].colour == "red" and now.items[0].weight == 2.0
    assert typehost.published()["tests.stale.loose"][0] is now.items[0]   # sharing across values
    assert typehost.from_json(typehost.to_json(now)) == now


def test_a_reload_leaves_a_published_value_that_does_not_fit_stale_and_says_why(items_plugin):
    m, path = items_plugin
    Item = current("tests.stale_plugin.Item")
    typehost.publish("tests.stale.heavy", [Item("h", 5.0)])
    write(path, ITEMS_V2_DROPS)
    report = m.reload("stale_items")
    assert report.ok
    (entry,) = [v for v in report.values if v["name"] == "tests.stale.heavy"]
    assert entry["migrated"] is False and entry["objects"] == 0
    assert entry["issues"] == [("/0", "tests.stale_plugin.Item: field 'weight' is not in the current version "
                                      "(its value would be lost)")]
    value = typehost.published()["tests.stale.heavy"]
    assert typehost.type_info(value[0]).stale and value[0].weight == 5.0   # left as it was


def test_a_failed_reload_migrates_nothing(items_plugin):
    m, path = items_plugin
    Item = current("tests.stale_plugin.Item")
    keep = Item("k")
    typehost.publish("tests.stale.box", [keep])
    write(path, ITEMS_V2_ADDS + "\nraise RuntimeError('broken v2')\n")
    report = m.reload("stale_items")
    assert not report.ok and report.values == []
    assert typehost.published()["tests.stale.box"][0] is keep
    assert typehost.type_info(keep).stale is False   # the old version stays current


def test_an_instance_of_an_unloaded_plugins_type_is_refused_as_no_longer_registered(items_plugin, new_key):
    m, _ = items_plugin
    old = current("tests.stale_plugin.Item")("a")
    m.unload("stale_items")
    key = new_key()

    @py_class(key)
    class Anything(Object):
        value: Any = None

    with pytest.raises(TypeError, match=r"value: a stale instance of a previous version of tests\.stale_plugin\.Item "
                                        r".*; tests\.stale_plugin\.Item is no longer registered"):
        Anything(old)
    assert repr(old).startswith("Item(name='a', weight=1.0, ")   # still printable
