"""typehost.PluginStatus: one type for the Python plugin manager, the C++ PluginManager and
users (host/src/bind_plugin_status.cpp). Fields, defaults, as_dict, ==, repr and the refusal of
an unknown state."""

import pytest

import typehost
from typehost import PluginStatus


def test_defaults_and_field_order_are_those_of_the_status_record():
    p = PluginStatus(name="x", path="/p/x.py")
    assert p.as_dict() == {"name": "x", "path": "/p/x.py", "version": "", "description": "", "requires": [],
                           "native": False, "state": "unloaded", "load_seconds": 0.0, "types": [], "error": "",
                           "traceback": "", "warnings": []}
    assert list(p.as_dict()) == ["name", "path", "version", "description", "requires", "native", "state",
                                 "load_seconds", "types", "error", "traceback", "warnings"]


def test_fields_are_values_assignment_replaces_and_a_list_read_is_a_copy():
    p = PluginStatus(name="x", path="/p/x.py", types=["a.B"])
    p.types.append("c.D")            # a copy: the status keeps its own list
    assert p.types == ["a.B"]
    p.types = p.types + ["c.D"]
    assert p.types == ["a.B", "c.D"]
    p.state = "failed"
    p.error = "ImportError: no"
    assert (p.state, p.error) == ("failed", "ImportError: no")


def test_an_unknown_state_is_refused_and_leaves_the_status_as_it_was():
    p = PluginStatus(name="x", path="/p/x.py", state="loaded")
    with pytest.raises(ValueError, match="unknown plugin state 'LOADED'"):
        p.state = "LOADED"
    assert p.state == "loaded"
    with pytest.raises(ValueError):
        PluginStatus(name="x", path="/p/x.py", state="broken")
    with pytest.raises(TypeError):
        PluginStatus(name="x", path="/p/x.py", tpyes=[])   # a misspelt field


def test_equality_compares_every_field_and_statuses_are_unhashable():
    a = PluginStatus(name="x", path="/p/x.py")
    b = PluginStatus(name="x", path="/p/x.py")
    assert a == b
    b.warnings = ["f.py:3: k.K.f: unresolved"]
    assert a != b
    assert a != "x"
    with pytest.raises(TypeError):
        hash(a)


def test_repr_names_every_field_in_order():
    r = repr(PluginStatus(name="x", path="/p/x.py", requires=["base"]))
    assert r.startswith("PluginStatus(name='x', path='/p/x.py', version='', description='', requires=['base'],")
    assert r.endswith("warnings=[])")


def test_the_manager_and_users_share_the_bound_type(tmp_path):
    from typehost import _plugins

    (tmp_path / "one.py").write_text("import typehost\n")
    m = _plugins.PluginManager([str(tmp_path)])
    statuses = m.discover()
    assert [type(p) for p in statuses] == [PluginStatus]
    assert statuses[0].name == "one" and statuses[0].state == "unloaded"
    assert _plugins.PluginStatus is typehost.PluginStatus is PluginStatus
