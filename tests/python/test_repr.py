"""The generated __repr__: dataclasses' format, repr=False, recursion, user-written __repr__."""

from typing import Optional

from typehost import Object, field, py_class


def test_repr_shows_qualname_and_fields_like_dataclasses(key):
    @py_class(key)
    class Point(Object):
        x: float
        y: float = 0.0
        label: str = "p"

    assert repr(Point(1, 2)) == f"{Point.__qualname__}(x=1.0, y=2.0, label='p')"


def test_module_level_class_repr_uses_plain_name(key):
    assert repr(Module(1, [2])) == "Module(a=1, b=[2])"


def test_repr_shows_nested_objects_and_containers(new_key):
    @py_class(new_key())
    class Leaf(Object):
        v: int

    @py_class(new_key())
    class Tree(Object):
        leaves: list[Leaf]
        names: dict[str, int]
        pair: tuple[int, str]
        blob: bytes

    t = Tree([Leaf(1)], {"a": 1}, (1, "x"), b"\x00")
    q = Leaf.__qualname__
    assert repr(t) == \
        f"{Tree.__qualname__}(leaves=[{q}(v=1)], names={{'a': 1}}, pair=(1, 'x'), blob=b'\\x00')"


def test_field_with_repr_false_is_left_out(key):
    @py_class(key)
    class User(Object):
        name: str
        password: str = field(repr=False)

    assert repr(User("ann", "secret")) == f"{User.__qualname__}(name='ann')"


def test_repr_false_option_keeps_object_repr(key):
    @py_class(key, repr=False)
    class Point(Object):
        x: float

    assert repr(Point(1.0)).startswith(f"<{Point.__module__}.{Point.__qualname__} object at 0x")


def test_user_written_repr_is_kept(key):
    @py_class(key)
    class Point(Object):
        x: float

        def __repr__(self):
            return f"<{self.x}>"

    assert repr(Point(1.0)) == "<1.0>"


def test_recursive_repr_prints_ellipsis_at_the_recursion_point(key):
    @py_class(key)
    class Node(Object):
        value: int
        next: Optional["Node"] = None

    a = Node(1)
    b = Node(2, a)
    a.next = b
    q = Node.__qualname__
    assert repr(a) == f"{q}(value=1, next={q}(value=2, next=...))"


def test_recursion_through_a_list_prints_ellipsis(key):
    @py_class(key)
    class Node(Object):
        children: list["Node"] = field(default_factory=list)

    n = Node()
    n.children.append(n)
    assert repr(n) == f"{Node.__qualname__}(children=[...])"


def test_repr_of_subclass_uses_subclass_name(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

    class Plain(Base):
        pass

    assert repr(Plain(1)) == f"{Plain.__qualname__}(a=1)"


@py_class("tests.repr.Module")
class Module(Object):
    a: int
    b: list[int]
