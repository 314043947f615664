"""The generated __init__, __post_init__, user-written __init__, init=False, replace()."""

import inspect

import pytest

import typehost
from typehost import Object, field, py_class


def test_generated_init_takes_positional_and_keyword_arguments(key):
    @py_class(key)
    class Point(Object):
        x: float
        y: float = 0.0

    assert (Point(1.0, 2.0).x, Point(1.0, 2.0).y) == (1.0, 2.0)
    assert Point(y=3.0, x=1.0).y == 3.0
    assert Point(1.0).y == 0.0


def test_post_init_runs_after_every_field_is_set(key):
    seen = []

    @py_class(key)
    class Span(Object):
        start: int
        end: int = 10
        length: int = field(init=False, default=-1)

        def __post_init__(self):
            seen.append((self.start, self.end, self.length))
            self.length = self.end - self.start

    s = Span(3)
    assert s.length == 7
    assert seen == [(3, 10, -1)]


def test_post_init_exception_propagates_from_construction(key):
    @py_class(key)
    class Positive(Object):
        value: int

        def __post_init__(self):
            if self.value <= 0:
                raise ValueError("value must be positive")

    with pytest.raises(ValueError, match="value must be positive"):
        Positive(0)


def test_post_init_is_inherited_by_subclasses(new_key):
    calls = []

    @py_class(new_key())
    class Base(Object):
        a: int

        def __post_init__(self):
            calls.append(type(self).__name__)

    @py_class(new_key())
    class Derived(Base):
        b: int = 0

    Derived(1)
    assert calls == ["Derived"]


def test_user_written_init_is_kept(key):
    @py_class(key)
    class Celsius(Object):
        degrees: float

        def __init__(self, fahrenheit):
            self.degrees = (fahrenheit - 32) * 5 / 9

    assert Celsius(212).degrees == 100.0
    assert str(inspect.signature(Celsius)) == "(fahrenheit)"


def test_user_written_init_sees_plain_defaults_but_not_factories_as_dataclasses(key):
    # In dataclasses a plain default is a class attribute, while default_factory runs only in
    # the generated __init__: a user __init__ that skips such a field leaves it unset.
    @py_class(key)
    class Account(Object):
        owner: str
        balance: int = 0
        history: list[int] = field(default_factory=list)

        def __init__(self, owner):
            self.owner = owner

    a = Account("ann")
    assert (a.owner, a.balance) == ("ann", 0)
    with pytest.raises(AttributeError) as info:
        a.history
    assert str(info.value) == "'Account' object has no attribute 'history'"


def test_init_false_class_takes_no_arguments_like_dataclasses(key):
    @py_class(key, init=False)
    class Settings(Object):
        level: int = 1
        names: list[str] = field(default_factory=list)

    s = Settings()
    assert s.level == 1
    with pytest.raises(AttributeError, match="'names'"):
        s.names   # no __init__ ran, so no factory did (as in dataclasses)
    with pytest.raises(TypeError) as info:
        Settings(2)
    assert str(info.value) == "Settings() takes no arguments"
    assert str(inspect.signature(Settings)) == "()"


def test_init_false_subclass_calls_the_parent_init_with_super(new_key):
    @py_class(new_key())
    class Base(Object):
        x: int

    @py_class(new_key(), init=False)
    class Derived(Base):
        y: int = 5

        def __init__(self, x):
            super().__init__(x)
            self.y = x * 2

    d = Derived(3)
    assert (d.x, d.y) == (3, 6)


def test_calling_init_again_reinitializes_the_object(key):
    @py_class(key)
    class Point(Object):
        x: float
        y: float = 0.0

    p = Point(1.0, 2.0)
    p.__init__(5.0)
    assert (p.x, p.y) == (5.0, 0.0)


def test_default_factory_runs_once_for_an_undecorated_subclass(key):
    calls = []

    @py_class(key)
    class Base(Object):
        items: list[int] = field(default_factory=lambda: calls.append(1) or [])

    class Plain(Base):
        pass

    Plain()
    assert calls == [1]


def test_wrong_value_in_init_names_key_field_and_leaves_nothing_half_built(key):
    @py_class(key)
    class Point(Object):
        x: float
        y: float

    with pytest.raises(TypeError) as info:
        Point(1.0, "two")
    assert str(info.value) == f"{key}.y: expected float, got str"


def test_replace_runs_init_and_post_init(key):
    calls = []

    @py_class(key)
    class Point(Object):
        x: float
        y: float = 0.0

        def __post_init__(self):
            calls.append((self.x, self.y))

    p = Point(1.0, 2.0)
    q = typehost.replace(p, y=5.0)
    assert (q.x, q.y) == (1.0, 5.0) and q is not p
    assert calls == [(1.0, 2.0), (1.0, 5.0)]


def test_replace_validates_the_new_values(key):
    @py_class(key)
    class Point(Object):
        x: float

    with pytest.raises(TypeError) as info:
        typehost.replace(Point(1.0), x="a")
    assert str(info.value) == f"{key}.x: expected float, got str"


def test_replace_refuses_init_false_fields_as_dataclasses(key):
    @py_class(key)
    class Span(Object):
        start: int
        length: int = field(init=False, default=0)

    with pytest.raises(ValueError) as info:
        typehost.replace(Span(1), length=3)
    assert str(info.value) == \
        "field length is declared with init=False, it cannot be specified with replace()"


def test_repeated_keyword_call_sites_bind_the_same_way_every_time(key):
    # The generated __init__ caches each call site's keyword-name tuple: the second and later
    # calls through the same site must bind, refuse and report exactly as the first.
    @py_class(key)
    class Rec(Object):
        x: float
        y: float
        name: str = "n"
        count: int = 0

    made = [Rec(1.0, 2.0, name="a", count=i) for i in range(3)]
    assert [(r.x, r.y, r.name, r.count) for r in made] == [(1.0, 2.0, "a", i) for i in range(3)]
    assert [Rec(y=2.0, x=float(i)).x for i in range(3)] == [0.0, 1.0, 2.0]
    for _ in range(3):
        with pytest.raises(TypeError, match="got multiple values for argument 'x'"):
            Rec(1.0, 2.0, x=3.0, name="b", count=1)
    for _ in range(3):   # same keywords, fewer positionals: the missing one is named
        with pytest.raises(TypeError, match=r"missing 1 required positional argument: 'y'"):
            Rec(1.0, name="a", count=1)
    for _ in range(3):   # the first bad value in parameter order is reported, not keyword order
        with pytest.raises(TypeError, match=rf"{key}\.name: expected str, got int"):
            Rec(1.0, 2.0, count="bad", name=5)
