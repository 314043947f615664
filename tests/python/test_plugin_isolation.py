"""Plugin isolation: the security check through symbolic links, a watchdog per call with a
bounded deadline, the per-thread ownership context (types, published values, the journal),
and a manager that plugin code cannot re-enter, so statuses and the registry always agree.

Every test builds its own PluginManager over plugins in tmp_path, with the crash guard, the
config file and the XDG directories in tmp_path, and unloads what it loaded.
"""

from __future__ import annotations

import math
import os
import stat
import sys
import threading
import time

import pytest

import _typehost
import typehost
from typehost import Object, py_class
from typehost import _plugins
from typehost._plugins import PluginManager

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures

# ---------------------------------------------------------------------------------------
# Fixtures and helpers



@pytest.fixture
def cleanup_owner():
    """Owners whose types and values a test leaves behind on purpose; removed afterwards."""
    owners = []
    yield owners.append
    for owner in owners:
        _typehost._remove_owner(owner)


def open_dir(path, sticky=False):
    """A directory every user may write to (like a shared upload directory)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o777 | (stat.S_ISVTX if sticky else 0))
    return path


def registry_state() -> dict:
    return {k: typehost.type_info(k).generation for k in typehost.type_keys()}


def refused(name: str, bad, note: str = "") -> str:
    return (f"refusing to load plugin {name!r}: {bad} is writable by other users"
            f"{f' ({note})' if note else ''}; fix it with 'chmod o-w {bad}' or start with "
            "--allow-insecure-plugins")


def assert_statuses_agree_with_registry(m: PluginManager):
    """Every loaded plugin's types are exactly the live keys it owns; others own none."""
    for p in m.plugins.values():
        owned = sorted(_typehost._owned_keys("plugin:" + p.name))
        if p.state == "loaded":
            assert sorted(p.types) == owned, p
            for key in owned:
                assert not typehost.type_info(key).stale
        else:
            assert owned == [] and p.types == [], p


SIMPLE = """
    from typehost import Object, py_class

    @py_class("tests.isolation.{name}.T")
    class T(Object):
        x: int = 0
"""


def simple_plugin(path, name):
    return write(path, SIMPLE.format(name=name))


# ---------------------------------------------------------------------------------------
# Security: symbolic links are checked as what they point to


def test_symlinked_plugin_file_into_a_world_writable_directory_is_refused(tmp_path, manager):
    shared = open_dir(tmp_path / "shared")
    target = simple_plugin(shared / "linked.py", "linked")
    os.chmod(target, 0o644)
    link = tmp_path / "p" / "linked.py"
    link.parent.mkdir()
    link.symlink_to(target)
    before, modules = registry_state(), set(sys.modules)
    m = manager(tmp_path / "p")
    m.load_all()
    p = m.plugins["linked"]
    assert p.state == "failed"
    assert p.error == refused("linked", shared, f"{link} is a symbolic link to {target}")
    assert registry_state() == before and set(sys.modules) == modules
    allowed = manager(tmp_path / "p", allow_insecure=True)
    allowed.load_all()
    assert allowed.plugins["linked"].state == "loaded"


def test_symlinked_plugin_file_whose_target_is_world_writable_names_the_target(tmp_path, manager):
    target = simple_plugin(tmp_path / "elsewhere" / "wtarget.py", "wtarget")
    os.chmod(target, 0o666)
    link = tmp_path / "p" / "wtarget.py"
    link.parent.mkdir()
    link.symlink_to(target)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["wtarget"].error == refused("wtarget", target, f"{link} is a symbolic link to {target}")


def test_symlinked_module_of_a_package_into_a_world_writable_directory_is_refused(tmp_path, manager):
    shared = open_dir(tmp_path / "shared")
    inner = write(shared / "inner.py", "VALUE = 1\n")
    os.chmod(inner, 0o644)
    write(tmp_path / "p" / "kit" / "__init__.py", "from . import inner\n")
    link = tmp_path / "p" / "kit" / "inner.py"
    link.symlink_to(inner)
    m = manager(tmp_path / "p")
    m.load_all()
    p = m.plugins["kit"]
    assert p.state == "failed"
    assert p.error == refused("kit", shared, f"{link} is a symbolic link to {inner}")
    assert "kit" not in sys.modules and "kit.inner" not in sys.modules


def test_symlinked_package_directory_into_a_world_writable_directory_is_refused(tmp_path, manager):
    shared = open_dir(tmp_path / "shared")
    real = shared / "pkgreal"
    write(real / "__init__.py", "")
    os.chmod(real, 0o755)
    link = tmp_path / "p" / "pkglink"
    link.parent.mkdir()
    link.symlink_to(real)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["pkglink"].error == refused("pkglink", shared, f"{link} is a symbolic link to {real}")


def test_linked_subdirectory_of_a_package_is_checked_inside_and_where_it_points(tmp_path, manager):
    shared = open_dir(tmp_path / "shared")
    sub = shared / "sub"
    write(sub / "__init__.py", "")
    os.chmod(sub, 0o755)
    write(tmp_path / "p" / "deep" / "__init__.py", "")
    link = tmp_path / "p" / "deep" / "sub"
    link.symlink_to(sub)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["deep"].error == refused("deep", shared, f"{link} is a symbolic link to {sub}")

    # A safe place for the subdirectory, but a world-writable file inside it.
    safe = tmp_path / "safe" / "sub2"
    module = write(safe / "mod.py", "")
    os.chmod(module, 0o666)
    os.unlink(link)
    link.symlink_to(safe)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["deep"].error == refused(
        "deep", module, f"{link / 'mod.py'} is {module} through a linked directory")


def test_each_link_of_a_chain_is_checked(tmp_path, manager):
    middle = open_dir(tmp_path / "middle")
    target = simple_plugin(tmp_path / "safe" / "chained.py", "chained")
    hop = middle / "hop.py"
    hop.symlink_to(target)
    link = tmp_path / "p" / "chained.py"
    link.parent.mkdir()
    link.symlink_to(hop)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["chained"].error == refused("chained", middle, f"{link} is a symbolic link to {target}")


def test_symlinks_into_safe_or_sticky_directories_load(tmp_path, manager):
    safe = simple_plugin(tmp_path / "safe" / "good_link.py", "good_link")
    sticky = open_dir(tmp_path / "sticky", sticky=True)
    in_sticky = simple_plugin(sticky / "sticky_link.py", "sticky_link")
    os.chmod(in_sticky, 0o644)
    d = tmp_path / "p"
    d.mkdir()
    (d / "good_link.py").symlink_to(safe)
    (d / "sticky_link.py").symlink_to(in_sticky)
    m = manager(d)
    m.load_all()
    assert m.plugins["good_link"].state == "loaded", m.plugins["good_link"].error
    assert m.plugins["sticky_link"].state == "loaded", m.plugins["sticky_link"].error
    assert typehost.type_info("tests.isolation.good_link.T").plugin == "good_link"


def test_a_directory_link_loop_inside_a_package_does_not_hang(tmp_path, manager):
    write(tmp_path / "p" / "loopy" / "__init__.py", "")
    (tmp_path / "p" / "loopy" / "again").symlink_to(tmp_path / "p" / "loopy")
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["loopy"].state == "loaded", m.plugins["loopy"].error


def test_world_writable_plugin_directory_itself_is_still_refused_without_a_note(tmp_path, manager):
    d = open_dir(tmp_path / "p")
    simple_plugin(d / "plain.py", "plain")
    m = manager(d)
    m.load_all()
    assert m.plugins["plain"].error == refused("plain", d)


# ---------------------------------------------------------------------------------------
# Timeouts: a watchdog per call, a bounded deadline


def test_nested_call_with_timeout_does_not_disarm_the_plugin_deadline(tmp_path, manager):
    write(tmp_path / "p" / "nester.py", """
        import _typehost

        _typehost._call_with_timeout(60, KeyboardInterrupt, lambda: None)
        while True:
            pass
    """)
    m = manager(tmp_path / "p", timeout=1.0)
    started = time.monotonic()
    m.load_all()
    assert time.monotonic() - started < 5
    p = m.plugins["nester"]
    assert p.state == "failed"
    assert p.error == "plugin 'nester' ran longer than 1 s and was interrupted"


def test_plugin_deadline_interrupts_a_nested_call_with_a_longer_deadline(tmp_path, manager):
    write(tmp_path / "p" / "long_inner.py", """
        import _typehost

        def spin():
            while True:
                pass

        _typehost._call_with_timeout(600, RuntimeError, spin)
    """)
    m = manager(tmp_path / "p", timeout=1.0)
    started = time.monotonic()
    m.load_all()
    assert time.monotonic() - started < 5
    p = m.plugins["long_inner"]
    assert p.error == "plugin 'long_inner' ran longer than 1 s and was interrupted"
    assert "in spin" in p.traceback


def test_nested_call_with_a_shorter_deadline_fires_its_own_exception(tmp_path, manager):
    write(tmp_path / "p" / "short_inner.py", """
        import _typehost
        from typehost import Object, py_class

        class Inner(Exception):
            pass

        def spin():
            while True:
                pass

        try:
            _typehost._call_with_timeout(0.2, Inner, spin)
        except Inner:
            caught = True

        @py_class("tests.isolation.short_inner.T")
        class T(Object):
            x: int = 0
    """)
    m = manager(tmp_path / "p", timeout=5.0)
    m.load_all()
    p = m.plugins["short_inner"]
    assert p.state == "loaded", p.error
    assert sys.modules["short_inner"].caught is True


def test_call_with_timeout_checks_its_duration():
    for bad in (0, -1, math.nan, -math.inf):
        with pytest.raises(ValueError, match="positive number of seconds"):
            _typehost._call_with_timeout(bad, KeyboardInterrupt, lambda: None)
    with pytest.raises(TypeError, match="exception class"):
        _typehost._call_with_timeout(1, 42, lambda: None)
    # Huge and infinite durations are clamped to the maximum, not overflowed.
    for huge in (1e10, 1e300, math.inf):
        assert _typehost._call_with_timeout(huge, KeyboardInterrupt, lambda: "done") == "done"


@pytest.mark.parametrize("timeout", [1e10, math.inf, 1e300])
def test_huge_plugin_timeout_is_clamped_and_plugins_load(tmp_path, manager, timeout):
    simple_plugin(tmp_path / "p" / "patient.py", "patient")
    m = manager(tmp_path / "p", timeout=timeout)
    assert m.timeout == _plugins.MAX_TIMEOUT == _typehost._max_timeout() == 86400.0
    m.load_all()
    assert m.plugins["patient"].state == "loaded", m.plugins["patient"].error


@pytest.mark.parametrize("timeout", [math.nan, -1, -math.inf, "soon"])
def test_nan_or_negative_plugin_timeout_is_refused(timeout):
    with pytest.raises(ValueError, match="plugin timeout"):
        PluginManager([], timeout=timeout)


def test_zero_plugin_timeout_means_none(tmp_path, manager):
    simple_plugin(tmp_path / "p" / "untimed.py", "untimed")
    m = manager(tmp_path / "p", timeout=0)
    m.load_all()
    assert m.timeout == 0 and m.plugins["untimed"].state == "loaded"


# ---------------------------------------------------------------------------------------
# Plugin code cannot re-enter the manager: statuses and the registry agree


def test_unloading_a_requirement_from_register_is_refused_and_the_deadline_holds(tmp_path, manager):
    d = tmp_path / "p"
    simple_plugin(d / "dep.py", "dep")
    write(d / "user.py", """
        from typehost import _plugins
        __plugin__ = {"requires": ["dep"]}

        def register():
            try:
                _plugins.manager().unload("dep")
            except RuntimeError as e:
                global refusal
                refusal = str(e)
            while True:
                pass
    """)
    m = manager(d, timeout=1.0)
    started = time.monotonic()
    m.load_all()
    assert time.monotonic() - started < 5
    dep, user = m.plugins["dep"], m.plugins["user"]
    assert user.state == "failed"
    assert user.error == "plugin 'user' ran longer than 1 s and was interrupted"
    assert dep.state == "loaded" and dep.types == ["tests.isolation.dep.T"]
    assert_statuses_agree_with_registry(m)


def test_plugin_that_unloads_another_from_register_and_fails_leaves_both_consistent(tmp_path, manager):
    d = tmp_path / "p"
    simple_plugin(d / "victim.py", "victim")
    write(d / "zz_vandal.py", """
        from typehost import Object, _plugins, py_class

        @py_class("tests.isolation.vandal.T")
        class T(Object):
            x: int = 0

        def register():
            _plugins.manager().unload("victim")
    """)
    m = manager(d)
    m.load_all()
    victim, vandal = m.plugins["victim"], m.plugins["zz_vandal"]
    assert vandal.state == "failed"
    assert vandal.error == ("RuntimeError: cannot unload plugin 'victim' while the code of plugin "
                            "'zz_vandal' runs: plugin code cannot load, unload, reload, enable or "
                            "disable plugins")
    assert victim.state == "loaded" and victim.types == ["tests.isolation.victim.T"]
    assert "tests.isolation.vandal.T" not in typehost.type_keys()
    assert_statuses_agree_with_registry(m)
    assert m.unload("victim") == ["victim"]
    assert_statuses_agree_with_registry(m)


@pytest.mark.parametrize("call", [
    "reload('other')", "reload_all()", "unload_all()", "load_all()", "disable('other')",
    "enable('other')",
])
def test_every_manager_operation_is_refused_from_plugin_code(tmp_path, manager, call):
    d = tmp_path / "p"
    simple_plugin(d / "other.py", "other")
    write(d / "zz_caller.py", f"""
        from typehost import _plugins

        def register():
            _plugins.manager().{call}
    """)
    m = manager(d)
    m.load_all()
    caller = m.plugins["zz_caller"]
    assert caller.state == "failed"
    assert caller.error.startswith("RuntimeError: cannot ") and "plugin code cannot load" in caller.error
    assert m.plugins["other"].state == "loaded"
    assert_statuses_agree_with_registry(m)


def test_unregister_that_calls_the_manager_still_unloads(tmp_path, manager):
    d = tmp_path / "p"
    simple_plugin(d / "bystander.py", "bystander")
    write(d / "leaver.py", """
        from typehost import _plugins

        def unregister():
            _plugins.manager().unload("bystander")
    """)
    m = manager(d)
    m.load_all()
    assert m.unload("leaver") == ["leaver"]
    leaver = m.plugins["leaver"]
    assert leaver.state == "unloaded"
    assert leaver.error.startswith("unregister() raised RuntimeError: cannot unload plugin 'bystander'")
    assert m.plugins["bystander"].state == "loaded"
    assert_statuses_agree_with_registry(m)


def test_manager_operations_work_again_after_plugin_code_returns(tmp_path, manager):
    simple_plugin(tmp_path / "p" / "again.py", "again")
    m = manager(tmp_path / "p")
    m.load_all()
    assert _plugins._running == []
    assert m.reload("again").ok
    assert m.unload("again") == ["again"]


# ---------------------------------------------------------------------------------------
# Ownership is per thread: a thread a plugin starts is not the plugin


THREADED = """
    import threading
    from typehost import Object, publish, py_class

    done = threading.Event()

    def work():
        try:
            @py_class("tests.isolation.{name}.FromThread")
            class FromThread(Object):
                x: int = 0
            publish("tests.isolation.{name}.thread_value", FromThread(7))
        finally:
            done.set()

    @py_class("tests.isolation.{name}.FromLoad")
    class FromLoad(Object):
        x: int = 0

    threading.Thread(target=work).start()
    assert done.wait(10)

    def register():
        publish("tests.isolation.{name}.load_value", FromLoad(1))
        {fail}

    def unregister():
        pass
"""


def test_types_and_values_from_a_plugin_thread_are_not_owned_or_rolled_back(tmp_path, manager, cleanup_owner):
    name = "threadfail"
    cleanup_owner(f"module:{name}")
    write(tmp_path / "p" / f"{name}.py", THREADED.format(name=name, fail="raise RuntimeError('load fails')"))
    before = registry_state()
    m = manager(tmp_path / "p")
    m.load_all()
    p = m.plugins[name]
    assert p.state == "failed" and p.error == "RuntimeError: load fails"
    # The load's own type and value are rolled back ...
    assert f"tests.isolation.{name}.FromLoad" not in typehost.type_keys()
    assert f"tests.isolation.{name}.load_value" not in typehost.published()
    # ... the thread's are not: they were never the plugin's.
    info = typehost.type_info(f"tests.isolation.{name}.FromThread")
    assert (info.owner, info.plugin, info.stale) == (f"module:{name}", None, False)
    assert typehost.published()[f"tests.isolation.{name}.thread_value"].x == 7
    assert set(registry_state()) - set(before) == {f"tests.isolation.{name}.FromThread"}
    assert_statuses_agree_with_registry(m)
    typehost.unpublish(f"tests.isolation.{name}.thread_value")


def test_unloading_a_plugin_leaves_what_its_thread_registered_and_published(tmp_path, manager, cleanup_owner):
    name = "threadok"
    cleanup_owner(f"module:{name}")
    write(tmp_path / "p" / f"{name}.py", THREADED.format(name=name, fail="pass"))
    m = manager(tmp_path / "p")
    m.load_all()
    p = m.plugins[name]
    assert p.state == "loaded", p.error
    assert p.types == [f"tests.isolation.{name}.FromLoad"]
    assert typehost.type_info(f"tests.isolation.{name}.FromLoad").plugin == name
    assert typehost.type_info(f"tests.isolation.{name}.FromThread").owner == f"module:{name}"
    m.unload(name)
    values = typehost.published()
    assert f"tests.isolation.{name}.load_value" not in values      # the plugin's own value goes
    assert values[f"tests.isolation.{name}.thread_value"].x == 7    # the thread's stays
    assert f"tests.isolation.{name}.FromThread" in typehost.type_keys()
    assert_statuses_agree_with_registry(m)
    typehost.unpublish(f"tests.isolation.{name}.thread_value")


def test_current_plugin_is_per_thread(tmp_path, manager):
    write(tmp_path / "p" / "whoami.py", """
        import threading
        from typehost import _plugins

        seen = {"load": _plugins.current_plugin()}
        t = threading.Thread(target=lambda: seen.update(thread=_plugins.current_plugin()))
        t.start()
        t.join()
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    assert sys.modules["whoami"].seen == {"load": "whoami", "thread": None}
    assert _plugins.current_plugin() is None


def test_journal_rollback_undoes_only_the_journal_threads_changes(new_key, cleanup_owner):
    cleanup_owner("module:" + __name__)
    mine, theirs = new_key(), new_key()
    typehost.publish("tests.isolation.shared_value", 1)
    _typehost._begin_journal()
    try:
        py_class(mine)(type("Mine", (Object,), {"__annotations__": {"x": int}}))
        typehost.publish("tests.isolation.journal_value", 2)
        typehost.publish("tests.isolation.shared_value", 3)

        def other_thread():
            py_class(theirs)(type("Theirs", (Object,), {"__annotations__": {"x": int}}))
            typehost.publish("tests.isolation.thread_value", 4)
            typehost.publish("tests.isolation.shared_value", 5)   # after the journal thread's change

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
    finally:
        _typehost._rollback_journal()
    keys, values = typehost.type_keys(), typehost.published()
    assert mine not in keys and theirs in keys
    assert "tests.isolation.journal_value" not in values
    assert values["tests.isolation.thread_value"] == 4
    assert values["tests.isolation.shared_value"] == 5   # the other thread's change stays
    for n in ("tests.isolation.thread_value", "tests.isolation.shared_value"):
        typehost.unpublish(n)


def test_published_values_of_a_thread_have_the_threads_owner():
    previous = _typehost._set_thread_owner("plugin:someone")
    try:
        seen = {}

        def other_thread():
            seen["owner"] = _typehost._set_thread_owner("")

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert seen == {"owner": ""}
        typehost.publish("tests.isolation.owned_value", 1)
        assert _typehost._set_thread_owner("plugin:someone") == "plugin:someone"
    finally:
        _typehost._set_thread_owner(previous)
    _typehost._remove_owner("plugin:someone")   # removes what "someone" published
    assert "tests.isolation.owned_value" not in typehost.published()


def test_class_completed_from_another_thread_does_not_outlive_its_failed_plugin(tmp_path, manager, cleanup_owner):
    cleanup_owner("module:latecomer")
    write(tmp_path / "p" / "latecomer.py", """
        import threading
        from typehost import Object, py_class

        @py_class("tests.isolation.latecomer.Waiting")
        class Waiting(Object):
            other: "Later"

        def work():
            @py_class("tests.isolation.latecomer.Later")
            class Later(Object):
                x: int = 0

        t = threading.Thread(target=work)
        t.start()
        t.join()
        raise RuntimeError("latecomer fails")
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["latecomer"].error == "RuntimeError: latecomer fails"
    assert "tests.isolation.latecomer.Waiting" not in typehost.type_keys()
    assert _typehost._owned_keys("plugin:latecomer") == []
    assert_statuses_agree_with_registry(m)
