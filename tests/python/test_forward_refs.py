"""Forward references: string annotations, `from __future__ import annotations`, self and
mutual references, and classes that wait for a name that is not defined yet."""

from __future__ import annotations

from typing import Optional

import pytest

import typehost
from typehost import Object, field, py_class


def test_self_reference_by_name(key):
    @py_class(key)
    class Node(Object):
        value: int
        children: list[Node] = field(default_factory=list)
        parent: Node | None = None

    root = Node(1, [Node(2)])
    assert root.children[0].value == 2
    assert [f.schema for f in typehost.fields(Node)] == ["int", f"list[{key}]", f"Optional[{key}]"]


def test_mutual_references_between_classes_in_a_function(new_key):
    tree_key, owner_key = new_key(), new_key()

    @py_class(tree_key)
    class Tree(Object):
        name: str
        owner: Optional[Owner] = None

    @py_class(owner_key)
    class Owner(Object):
        name: str
        trees: list[Tree] = field(default_factory=list)

    o = Owner("ann", [Tree("oak")])
    o.trees[0].owner = o
    assert o.trees[0].owner is o
    assert typehost.fields(Tree)[1].schema == f"Optional[{owner_key}]"


def test_class_waiting_for_a_name_refuses_instantiation_naming_class_field_and_name(new_key):
    @py_class(new_key())
    class Early(Object):
        later: LaterThing

    with pytest.raises(TypeError) as info:
        Early(None)
    assert str(info.value) == (f"cannot instantiate {Early.__qualname__}: field 'later' refers to "
                               "'LaterThing', which is not defined yet")

    @py_class(new_key())
    class LaterThing(Object):
        v: int = 0

    assert Early(LaterThing(3)).later.v == 3


def test_optional_forward_reference_waits_like_any_other(new_key):
    @py_class(new_key())
    class Holder(Object):
        a: PendingA | None
        b: Optional[PendingA]

    with pytest.raises(TypeError, match="field 'a' refers to 'PendingA', which is not defined yet"):
        Holder(None, None)

    @py_class(new_key())
    class PendingA(Object):
        pass

    assert Holder(None, PendingA()).a is None


def test_forward_reference_inside_containers_waits_like_any_other(new_key):
    @py_class(new_key())
    class Holder(Object):
        items: list[PendingB]
        index: dict[str, PendingB]

    with pytest.raises(TypeError, match="field 'items' refers to 'PendingB', which is not defined yet"):
        Holder([], {})

    @py_class(new_key())
    class PendingB(Object):
        pass

    h = Holder([PendingB()], {"k": PendingB()})
    assert len(h.items) == 1 and list(h.index) == ["k"]


def test_same_name_in_another_function_does_not_complete_a_forward_reference(new_key):
    def elsewhere():
        @py_class(new_key())
        class PendingC(Object):
            pass

    @py_class(new_key())
    class Holder(Object):
        x: PendingC

    elsewhere()
    with pytest.raises(TypeError, match="refers to 'PendingC', which is not defined yet"):
        Holder(None)


def test_waiting_class_is_not_registered_until_complete(new_key):
    early_key = new_key()

    @py_class(early_key)
    class Early(Object):
        later: MissingForNow

    assert early_key not in typehost.type_keys()

    @py_class(new_key())
    class MissingForNow(Object):
        pass

    assert early_key in typehost.type_keys()


def test_subclass_of_a_waiting_class_waits_too(new_key):
    @py_class(new_key())
    class Base(Object):
        other: NotYet | None = None

    @py_class(new_key())
    class Derived(Base):
        x: int = 0

    with pytest.raises(TypeError, match="not defined yet"):
        Derived()

    @py_class(new_key())
    class NotYet(Object):
        pass

    assert Derived(NotYet(), 1).x == 1


def test_dotted_string_names_a_registered_type_key(new_key):
    point_key = new_key()

    @py_class(point_key)
    class Point(Object):
        x: float = 0.0

    Line = py_class(new_key())(type("Line", (Object,), {
        "__annotations__": {"start": point_key, "points": f"list[{point_key}]"},
        "__module__": __name__}))
    line = Line(Point(1), [Point(2)])
    assert line.start.x == 1.0
    assert typehost.fields(Line)[0].schema == point_key


def test_dotted_key_not_registered_yet_is_a_forward_reference_in_the_registry(new_key):
    # A dotted name is a type key even before anything is registered under it (it may come
    # from a plugin loaded later): the class registers, and values wait for the key.
    point_key = "tests.fwd.later.Point"
    line_key = new_key()
    Line = py_class(line_key)(type("Line", (Object,), {
        "__annotations__": {"start": f"Optional[{point_key}]"}, "start": None, "__module__": __name__}))
    assert line_key in typehost.type_keys()
    assert Line().start is None

    with pytest.raises(TypeError) as info:
        Line(3)
    assert str(info.value) == f"{line_key}.start: type '{point_key}' is not registered"

    @py_class(point_key)
    class Point(Object):
        x: float = 0.0

    assert Line(Point(2)).start.x == 2.0


def test_module_globals_win_over_local_names(key):
    Shadow = "a local that is not a type"   # noqa: F841 - globals come first

    @py_class(key)
    class User(Object):
        item: Shadow

    assert typehost.fields(User)[0].schema == "tests.fwd.Shadow"


def test_locals_of_the_defining_function_are_found(new_key):
    def make():
        @py_class(new_key())
        class Inner(Object):
            v: int = 0

        @py_class(new_key())
        class Outer(Object):
            inner: Inner

        return Outer, Inner

    Outer, Inner = make()
    assert Outer(Inner(4)).inner.v == 4


def test_forward_reference_to_a_class_defined_later_in_the_module():
    assert typehost.fields(EarlyModuleClass)[0].schema == "tests.fwd.LateModuleClass"
    assert EarlyModuleClass(LateModuleClass()).late.v == 1


@py_class("tests.fwd.Shadow")
class Shadow(Object):
    pass


@py_class("tests.fwd.EarlyModuleClass")
class EarlyModuleClass(Object):
    late: LateModuleClass


@py_class("tests.fwd.LateModuleClass")
class LateModuleClass(Object):
    v: int = 1
