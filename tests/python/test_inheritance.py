"""Inheritance between registered classes, undecorated subclasses, and classes made at run
time (type(...), exec)."""

import inspect
import sys

import pytest

import typehost
from typehost import Object, field, py_class


def test_subclass_fields_follow_inherited_fields(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int
        b: str = "b"

    @py_class(new_key())
    class Derived(Base):
        c: float = 0.0

    assert [f.name for f in typehost.fields(Derived)] == ["a", "b", "c"]
    assert str(inspect.signature(Derived)) == "(a: int, b: str = 'b', c: float = 0.0) -> None"
    d = Derived(1, "x", 2.0)
    assert (d.a, d.b, d.c) == (1, "x", 2.0)
    assert isinstance(d, Base)


def test_redefined_field_keeps_its_position_and_takes_the_new_default(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int = 1
        b: int = 2

    @py_class(new_key())
    class Derived(Base):
        c: int = 3
        a: int = 10

    assert [f.name for f in typehost.fields(Derived)] == ["a", "b", "c"]
    assert (Derived().a, Derived().b, Derived().c) == (10, 2, 3)
    assert Base().a == 1


def test_redefined_field_may_change_its_type(new_key):
    @py_class(new_key())
    class Base(Object):
        value: int = 0

    @py_class(new_key())
    class Derived(Base):
        value: str = ""

    assert typehost.fields(Derived)[0].schema == "str"
    assert Derived("x").value == "x"
    with pytest.raises(TypeError, match="expected str, got int"):
        Derived(1)


def test_type_info_reports_the_parent_key(new_key):
    base_key, derived_key = new_key(), new_key()

    @py_class(base_key)
    class Base(Object):
        a: int

    @py_class(derived_key)
    class Derived(Base):
        pass

    assert typehost.type_info(Derived).parent == base_key
    assert typehost.type_info(Base).parent is None
    assert [f.name for f in typehost.type_info(Derived).fields] == ["a"]


def test_methods_are_inherited_and_super_works(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

        def describe(self):
            return f"a={self.a}"

    @py_class(new_key())
    class Derived(Base):
        b: int = 0

        def describe(self):
            return super().describe() + f", b={self.b}"

    assert Derived(1, 2).describe() == "a=1, b=2"


def test_intermediate_undecorated_class_contributes_methods_not_fields(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

    class Mixin(Base):
        note: str = "not a field"

        def twice(self):
            return self.a * 2

    @py_class(new_key())
    class Derived(Mixin):
        b: int = 0

    assert [f.name for f in typehost.fields(Derived)] == ["a", "b"]
    assert Derived(3).twice() == 6


def test_undecorated_subclass_inherits_fields_and_init(new_key):
    key = new_key()

    @py_class(key)
    class Base(Object):
        a: int
        tags: list[str] = field(default_factory=list)

    class Plain(Base):
        extra: int = 5   # a class attribute, not a field

        def hello(self):
            return "plain"

    p = Plain(1)
    assert (p.a, p.tags, p.hello(), p.extra) == (1, [], "plain", 5)
    assert [f.name for f in typehost.fields(Plain)] == ["a", "tags"]
    assert typehost.type_info(Plain).key == key
    assert typehost.type_info(p).key == key
    assert repr(p) == f"{Plain.__qualname__}(a=1, tags=[])"
    with pytest.raises(TypeError, match="takes from 2 to 3 positional arguments but 4 were given"):
        Plain(1, [], 5)


def test_undecorated_subclass_has_no_instance_dict(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

    class Plain(Base):
        pass

    with pytest.raises(AttributeError):
        Plain(1).other = 2


def test_undecorated_subclass_instances_compare_by_exact_class(new_key):
    @py_class(new_key())
    class Base(Object):
        a: int

    class Plain(Base):
        pass

    assert Plain(1) == Plain(1)
    assert Plain(1) != Base(1)


def test_class_made_with_type_can_be_decorated(key):
    Made = py_class(key)(type("Made", (Object,), {"__annotations__": {"x": int, "y": "str"},
                                                  "y": "default"}))
    m = Made(1)
    assert (m.x, m.y) == (1, "default")
    assert repr(m) == "Made(x=1, y='default')"


def test_class_made_with_type_gets_a_default_key_from_its_module(key):
    Made = py_class(type("MadeKeyless", (Object,), {"__annotations__": {"x": int},
                                                    "__module__": "tests.dynamic"}))
    assert typehost.type_info(Made).key == "tests.dynamic.MadeKeyless"


def test_class_in_exec_code_of_a_module_not_in_sys_modules_can_be_decorated():
    namespace = {"__name__": "tests_exec_ghost", "py_class": py_class, "Object": Object}
    assert "tests_exec_ghost" not in sys.modules
    exec("@py_class\n"
         "class Ghost(Object):\n"
         "    x: 'int'\n"
         "    other: 'Ghost | None' = None\n", namespace)
    Ghost = namespace["Ghost"]
    g = Ghost(1, Ghost(2))
    assert g.other.x == 2
    assert typehost.type_info(Ghost).key == "tests_exec_ghost.Ghost"


def test_decorating_the_same_class_object_twice_reregisters_it(key):
    class Twice(Object):
        x: int

    py_class(key)(Twice)
    py_class(key)(Twice)
    assert Twice(1).x == 1
    assert typehost.type_info(key).stale is False


# ---------------------------------------------------------------------------------------
# Native types (the geometry plugin): generated classes, and Python subclasses of them


@pytest.fixture(scope="module")
def geometry(tmp_path_factory):
    """Loads the native geometry plugin (geo.Vec3, geo.Color, geo.Transform) for this module."""
    import os

    import _typehost
    from typehost._plugins import PluginManager

    plugin_dir = next((d for d in _typehost._bundled_plugin_dirs()
                       if os.path.isfile(os.path.join(d, "libgeometry.so"))), None)
    if plugin_dir is None:
        pytest.skip("the geometry plugin is not built (cmake --build ... --target geometry)")
    state = tmp_path_factory.mktemp("plugin_state")
    m = PluginManager([plugin_dir], crash_guard=str(state / "loading.json"),
                      config_file=str(state / "plugins.json"))
    m.load_all()
    assert m.plugins["geometry"].state == "loaded", m.plugins["geometry"].error
    yield
    m.unload_all()


@pytest.fixture
def native_key(key):
    """A key for a type built on the geometry plugin's types, removed after the test so that
    nothing registered refers to them once the plugin is unloaded."""
    import _typehost

    yield key
    if key in typehost.type_keys():
        _typehost._remove([key], typehost.type_info(key).owner)


def test_native_type_has_a_generated_class(geometry):
    Vec3 = typehost.get_class("geo.Vec3")
    assert issubclass(Vec3, Object)
    v = Vec3(1.0, z=3.0)
    assert (v.x, v.y, v.z) == (1.0, 0.0, 3.0)
    assert repr(v) == "Vec3(x=1.0, y=0.0, z=3.0)"
    assert v == Vec3(1.0, 0.0, 3.0)
    assert str(inspect.signature(Vec3)) == "(x: float = 0.0, y: float = 0.0, z: float = 0.0) -> None"
    info = typehost.type_info(Vec3)
    assert (info.origin, info.plugin) == ("native", "geometry")
    assert info.doc == "A point or direction in 3-D space."
    assert typehost.get_class("geo.Vec3") is Vec3


def test_native_default_factory_gives_each_instance_its_own_value(geometry):
    Transform = typehost.get_class("geo.Transform")
    a, b = Transform(), Transform()
    assert (a.scale.x, a.translation.x) == (1.0, 0.0)
    a.scale.x = 5.0
    assert b.scale.x == 1.0


def test_python_subclass_of_a_native_type(geometry, native_key):
    Vec3 = typehost.get_class("geo.Vec3")

    @py_class(native_key)
    class Point3(Vec3):
        label: str = ""

        def length(self):
            return (self.x ** 2 + self.y ** 2 + self.z ** 2) ** 0.5

    p = Point3(3.0, 4.0, label="p")
    assert [f.name for f in typehost.fields(Point3)] == ["x", "y", "z", "label"]
    assert (p.length(), p.label) == (5.0, "p")
    assert isinstance(p, Vec3)
    info = typehost.type_info(Point3)
    assert (info.parent, info.origin, info.plugin) == ("geo.Vec3", "python", None)
    assert repr(p) == f"{Point3.__qualname__}(x=3.0, y=4.0, z=0.0, label='p')"
    with pytest.raises(TypeError) as err:
        Point3(x="a")
    assert str(err.value) == f"{native_key}.x: expected float, got str"


def test_python_subclass_instance_is_accepted_where_the_native_type_is_expected(geometry, native_key):
    Vec3 = typehost.get_class("geo.Vec3")
    Transform = typehost.get_class("geo.Transform")

    @py_class(native_key)
    class Point3(Vec3):
        label: str = ""

    t = Transform()
    t.translation = Point3(1.0, label="moved")
    assert t.translation.label == "moved"
    back = typehost.from_json(typehost.to_json(t))
    assert type(back.translation) is Point3 and back.translation.label == "moved"


def test_native_type_as_a_field_of_a_python_class(geometry, native_key):
    Vec3 = typehost.get_class("geo.Vec3")
    Body = py_class(native_key)(type("Body", (Object,), {"__annotations__": {"pos": "geo.Vec3"},
                                                        "__module__": __name__}))
    b = Body(Vec3(1.0))
    assert b.pos.x == 1.0
    with pytest.raises(TypeError) as err:
        Body((1.0, 2.0, 3.0))
    assert str(err.value) == f"{native_key}.pos: expected geo.Vec3, got tuple"
