"""publish / unpublish / published(): the named values the host shows."""

import pytest

import typehost
from typehost import Object, field, py_class


@py_class("tests.published.Scene")
class Scene(Object):
    name: str
    items: list[int] = field(default_factory=list)


@pytest.fixture
def name(request):
    n = f"tests.{request.node.name}"
    yield n
    if n in typehost.published():
        typehost.unpublish(n)


def test_published_returns_a_dict_from_name_to_value(name):
    s = Scene("main")
    typehost.publish(name, s)
    values = typehost.published()
    assert type(values) is dict
    assert values[name] is s


def test_published_object_stays_live(name):
    s = Scene("main")
    typehost.publish(name, s)
    s.items.append(1)
    assert typehost.published()[name].items == [1]


def test_publishing_again_replaces_the_value(name):
    typehost.publish(name, Scene("a"))
    typehost.publish(name, Scene("b"))
    assert typehost.published()[name].name == "b"


def test_plain_values_can_be_published(name):
    typehost.publish(name, {"count": 3, "tags": ["x"]})
    assert typehost.published()[name] == {"count": 3, "tags": ["x"]}
    typehost.publish(name, 2.5)
    assert typehost.published()[name] == 2.5


def test_published_value_outlives_the_python_reference(name):
    typehost.publish(name, Scene("kept", [1, 2]))
    import gc
    gc.collect()
    assert typehost.published()[name] == Scene("kept", [1, 2])


def test_unpublish_removes_the_value(name):
    typehost.publish(name, 1)
    typehost.unpublish(name)
    assert name not in typehost.published()


def test_unpublish_of_an_unknown_name_raises_key_error():
    with pytest.raises(KeyError, match="tests.never_published"):
        typehost.unpublish("tests.never_published")


def test_value_typehost_cannot_hold_is_refused(name):
    with pytest.raises(typehost.ValidationError, match="expected a value typehost can hold, got set"):
        typehost.publish(name, {1, 2})
    assert name not in typehost.published()
