"""The plugin manager: discovery, metadata, dependencies, transactional load/unload/reload,
timeouts, the crash guard, enable/disable, security, native plugins and the bad-plugin corpus
in tests/plugins/.

Every test builds its own PluginManager over temporary copies of its plugins, with the crash
guard, the config file and the XDG directories in tmp_path, and unloads what it loaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import sys
import textwrap
import time

import pytest

import _typehost
import typehost
from typehost import _plugins
from typehost._registration import state as registrations
from typehost._plugins import PluginManager

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugins")
BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")


# ---------------------------------------------------------------------------------------
# Fixtures and helpers



def corpus(tmp_path, scenario: str):
    """A private copy of tests/plugins/<scenario> (so tests may edit and chmod it)."""
    dest = tmp_path / "corpus" / scenario
    shutil.copytree(os.path.join(CORPUS, scenario), dest)
    return dest


def registry_state() -> dict:
    """Every registered key with its generation: equal states mean an untouched registry."""
    return {k: typehost.type_info(k).generation for k in typehost.type_keys()}


def line_of(path, text: str) -> int:
    """The 1-based number of the first line of path that contains text."""
    for number, line in enumerate(open(path).read().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def frame(path, text: str) -> str:
    """The traceback line for the frame at the line of path containing text."""
    return f'File "{path}", line {line_of(path, text)}'


def status(m: PluginManager, name: str):
    return m.plugins[name]


def native_plugin_dir() -> str:
    for d in _typehost._bundled_plugin_dirs():
        if os.path.isfile(os.path.join(d, "libgeometry.so")):
            return d
    pytest.skip("the geometry plugin is not built (cmake --build ... --target geometry)")


# ---------------------------------------------------------------------------------------
# Discovery and metadata


def test_discovery_is_sorted_per_directory_in_directory_order(tmp_path, manager):
    first, second = tmp_path / "first", tmp_path / "second"
    write(first / "zeta.py", "")
    write(first / "alpha.py", "")
    write(first / "pkg" / "__init__.py", "")
    write(first / "not_a_package" / "module.py", "")
    write(first / "_private.py", "")
    write(first / ".hidden.py", "")
    write(first / "readme.txt", "")
    write(second / "beta.py", "")
    write(second / "alpha.py", "")
    found = manager(first, second).discover()
    assert [(p.name, p.state) for p in found] == [
        ("alpha", "unloaded"), ("pkg", "unloaded"), ("zeta", "unloaded"),
        ("alpha", "skipped"), ("beta", "unloaded")]
    assert found[0].path == str(first / "alpha.py")
    assert found[1].path == str(first / "pkg")
    assert found[3].error == f"shadowed by {first / 'alpha.py'} (same plugin name)"


def test_missing_plugin_directory_is_ignored(tmp_path, manager):
    write(tmp_path / "there" / "one.py", "")
    assert [p.name for p in manager(tmp_path / "absent", tmp_path / "there").discover()] == ["one"]


def test_default_plugin_dirs_order_and_duplicates(tmp_path, xdg, monkeypatch):
    monkeypatch.setenv("TYPEHOST_PLUGIN_PATH", f"/env/one::/env/two:/cli/a")
    dirs = _plugins.default_plugin_dirs(["/cli/a", "/cli/b"], ["/bundled/py", "/bundled/native"])
    assert dirs == ["/cli/a", "/cli/b", "/env/one", "/env/two",
                    str(xdg / "xdg_data_home" / "typehost" / "plugins"), "/bundled/py", "/bundled/native"]


def test_metadata_is_read_without_running_the_plugin(tmp_path, manager):
    write(tmp_path / "p" / "quiet.py", """
        raise SystemExit("quiet.py must not run during discovery")
        __plugin__ = {"name": "loud", "version": "3.1", "description": "Says things",
                      "requires": ["base"]}
    """)
    (p,) = manager(tmp_path / "p").discover()
    assert (p.name, p.version, p.description, p.requires) == ("loud", "3.1", "Says things", ["base"])
    assert p.state == "unloaded"


def test_metadata_of_a_package_comes_from_its_init(tmp_path, manager):
    write(tmp_path / "p" / "kit" / "__init__.py", '__plugin__ = {"version": "0.2"}\n')
    (p,) = manager(tmp_path / "p").discover()
    assert (p.name, p.version, p.requires) == ("kit", "0.2", [])


@pytest.mark.parametrize("source, error", [
    ('X = 1\n__plugin__ = {"name": compute()}\n', "{path}:2: __plugin__ must be a literal dict"),
    ('__plugin__ = ["name", "x"]\n', "{path}:1: __plugin__ must be a dict"),
    ('__plugin__ = {"name": \n', "{path}:1: syntax error: '{{' was never closed"),
])
def test_bad_metadata_fails_the_plugin_with_file_and_line(tmp_path, manager, source, error):
    path = write(tmp_path / "p" / "meta.py", source)
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "meta").state == "failed"
    assert status(m, "meta").error == error.format(path=path)
    assert "meta" not in sys.modules


# ---------------------------------------------------------------------------------------
# Dependencies


@pytest.fixture
def load_log(monkeypatch):
    """A module plugins append their names to while importing, to observe the load order."""
    log = type(sys)("plugin_test_log")
    log.names = []
    monkeypatch.setitem(sys.modules, "plugin_test_log", log)
    return log.names


def logging_plugin(directory, name: str, requires=()):
    write(directory / f"{name}.py", f"""
        import plugin_test_log
        __plugin__ = {{"name": "{name}", "requires": {list(requires)!r}}}
        plugin_test_log.names.append("{name}")
    """)


def test_requires_orders_loading(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "app", requires=["middle"])
    logging_plugin(d, "middle", requires=["base"])
    logging_plugin(d, "base")
    logging_plugin(d, "other")
    m = manager(d)
    m.load_all()
    assert load_log == ["base", "middle", "app", "other"]
    assert [p.name for p in m.plugins.values()] == ["app", "base", "middle", "other"]
    assert all(p.state == "loaded" for p in m.plugins.values())


def test_missing_dependency_fails_the_plugin_and_its_dependents(tmp_path, manager):
    m = manager(corpus(tmp_path, "missing_dependency"))
    before = registry_state()
    m.load_all()
    assert status(m, "needs_missing").state == "failed"
    assert status(m, "needs_missing").error == "requires plugin 'not_installed', which is not installed"
    assert status(m, "needs_needs_missing").state == "failed"
    assert status(m, "needs_needs_missing").error == "requires plugin 'needs_missing', which failed to load"
    assert registry_state() == before
    assert "needs_missing" not in sys.modules and "needs_needs_missing" not in sys.modules


def test_dependency_cycle_fails_the_cycle_and_its_dependents(tmp_path, manager):
    m = manager(corpus(tmp_path, "dependency_cycle"))
    before = registry_state()
    m.load_all()
    assert status(m, "cycle_a").state == status(m, "cycle_b").state == "failed"
    assert status(m, "cycle_b").error == status(m, "cycle_a").error
    assert re.fullmatch(r"dependency cycle: (cycle_a -> cycle_b -> cycle_a|cycle_b -> cycle_a -> cycle_b)",
                        status(m, "cycle_a").error)
    assert status(m, "after_cycle").error == "requires plugin 'cycle_a', which failed to load"
    assert registry_state() == before


def test_plugin_requiring_itself_is_a_cycle(tmp_path, manager):
    write(tmp_path / "p" / "selfish.py", '__plugin__ = {"requires": ["selfish"]}\n')
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "selfish").error == "dependency cycle: selfish -> selfish"


def test_dependency_that_fails_at_import_fails_its_dependents_without_running_them(
        tmp_path, manager, load_log):
    d = tmp_path / "p"
    write(d / "base.py", 'raise RuntimeError("base is broken")\n')
    logging_plugin(d, "top", requires=["base"])
    m = manager(d)
    m.load_all()
    assert status(m, "base").state == "failed"
    assert status(m, "top").state == "failed"
    assert status(m, "top").error == "requires plugin 'base', which failed to load"
    assert load_log == []


def test_dependency_with_a_syntax_error_fails_its_dependents(tmp_path, manager, load_log):
    d = tmp_path / "p"
    write(d / "base.py", "x = (\n")
    logging_plugin(d, "top", requires=["base"])
    m = manager(d)
    m.load_all()
    assert status(m, "base").error == f"{d / 'base.py'}:1: syntax error: '(' was never closed"
    assert status(m, "top").error == "requires plugin 'base', which failed to load"
    assert load_log == []


def test_dependent_of_a_disabled_plugin_fails(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "base")
    logging_plugin(d, "top", requires=["base"])
    m = manager(d)
    m.load_all()
    m.disable("base")
    m2 = manager(d)
    m2.load_all()
    assert status(m2, "base").state == "disabled"
    assert status(m2, "top").error == "requires plugin 'base', which is disabled"


# ---------------------------------------------------------------------------------------
# Load, ownership, unload


def test_loaded_plugin_owns_its_types(tmp_path, manager):
    write(tmp_path / "p" / "owned.py", """
        from typehost import Object, py_class
        __plugin__ = {"version": "1.5"}

        @py_class("tests.plugins.owned.A")
        class A(Object):
            x: int = 0

        def register():
            @py_class("tests.plugins.owned.B")
            class B(Object):
                y: str = ""
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    p = status(m, "owned")
    assert (p.state, p.version, p.error, p.traceback) == ("loaded", "1.5", "", "")
    assert sorted(p.types) == ["tests.plugins.owned.A", "tests.plugins.owned.B"]
    assert p.load_seconds > 0
    for key in p.types:
        info = typehost.type_info(key)
        assert (info.plugin, info.owner) == ("owned", "plugin:owned")
    assert [s.name for s in typehost.plugins()] == ["owned"]   # the fixture's manager is the process-wide one


def test_unload_removes_types_and_modules_and_leaves_instances_stale(tmp_path, manager):
    write(tmp_path / "p" / "gone.py", """
        from typehost import Object, py_class

        @py_class("tests.plugins.gone.A")
        class A(Object):
            x: int = 7
    """)
    before = registry_state()
    m = manager(tmp_path / "p")
    m.load_all()
    instance = typehost.get_class("tests.plugins.gone.A")()
    assert m.unload("gone") == ["gone"]
    assert registry_state() == before
    assert "gone" not in sys.modules
    assert status(m, "gone").state == "unloaded" and status(m, "gone").types == []
    assert instance.x == 7
    instance.x = 8
    assert instance.x == 8
    assert typehost.type_info(instance).stale


def test_unload_of_a_plugin_not_loaded_does_nothing(tmp_path, manager):
    write(tmp_path / "p" / "bad.py", "raise RuntimeError('no')\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.unload("bad") == []
    with pytest.raises(KeyError, match="no plugin named 'nope'"):
        m.unload("nope")


def test_unload_takes_dependents_along_and_says_so(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "base.py", """
        from typehost import Object, py_class

        @py_class("tests.plugins.deps.Base")
        class Base(Object):
            x: int = 0
    """)
    write(d / "child.py", """
        from base import Base
        from typehost import py_class
        __plugin__ = {"requires": ["base"]}

        @py_class("tests.plugins.deps.Child")
        class Child(Base):
            y: int = 0
    """)
    write(d / "grandchild.py", '__plugin__ = {"requires": ["child"]}\n')
    before = registry_state()
    m = manager(d)
    m.load_all()
    assert [p.state for p in m.plugins.values()] == ["loaded"] * 3
    assert m.unload("base") == ["grandchild", "child", "base"]
    assert registry_state() == before
    assert status(m, "child").error == "unloaded because it requires 'base', which was unloaded"
    assert status(m, "grandchild").error == "unloaded because it requires 'base', which was unloaded"
    assert status(m, "base").error == ""
    assert not {"base", "child", "grandchild"} & set(sys.modules)


def test_module_first_imported_by_a_plugin_stays_after_unload(tmp_path, manager):
    if "colorsys" in sys.modules:
        pytest.skip("colorsys is imported already")
    write(tmp_path / "p" / "uses_stdlib.py", "import colorsys\n")
    m = manager(tmp_path / "p")
    m.load_all()
    m.unload("uses_stdlib")
    assert "uses_stdlib" not in sys.modules
    assert "colorsys" in sys.modules   # not the plugin's: other code may hold it


def test_plugin_named_like_an_imported_module_is_refused(tmp_path, manager):
    write(tmp_path / "p" / "json.py", "VALUE = 1\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "json").state == "failed"
    assert status(m, "json").error == (
        "plugin 'json' cannot use the module name 'json': it is a standard-library module; "
        "rename json.py (e.g. to json_plugin.py)")
    import json as json_again
    assert json_again is json


def test_private_helper_module_of_a_plugin_is_removed_with_it(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "_helper_for_user.py", "FACTOR = 3\n")
    write(d / "_helper_pkg_for_user" / "__init__.py", "from . import part\n")
    write(d / "_helper_pkg_for_user" / "part.py", "")
    write(d / "user.py", "import _helper_for_user, _helper_pkg_for_user\n")
    helpers = {"_helper_for_user", "_helper_pkg_for_user", "_helper_pkg_for_user.part"}
    m = manager(d)
    m.load_all()
    assert helpers <= set(sys.modules)
    m.unload("user")
    assert not helpers & set(sys.modules)


def test_unload_all_unloads_dependents_first(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "app", requires=["base"])
    logging_plugin(d, "base")
    m = manager(d)
    m.load_all()
    assert sorted(m.unload_all()) == ["app", "base"]
    assert [p.state for p in m.plugins.values()] == ["unloaded", "unloaded"]


def test_load_all_again_reloads_cleanly(tmp_path, manager, load_log):
    logging_plugin(tmp_path / "p", "again")
    m = manager(tmp_path / "p")
    m.load_all()
    m.load_all()
    assert status(m, "again").state == "loaded"
    assert load_log == ["again", "again"]


# ---------------------------------------------------------------------------------------
# The bad-plugin corpus (tests/plugins/): each failure leaves the registry and sys.modules as
# they were and names the file and line.


def load_failing(tmp_path, manager, scenario, name, **options):
    """Loads tests/plugins/<scenario>; returns (manager, status of name, plugin path)."""
    m = manager(corpus(tmp_path, scenario), **options)
    before, modules = registry_state(), set(sys.modules)
    pending = list(registrations.pending)
    m.load_all()
    p = status(m, name)
    assert p.state == "failed", p
    assert p.types == []
    assert registry_state() == before
    assert set(sys.modules) == modules
    assert registrations.pending == pending
    return m, p, p.path


def test_corpus_syntax_error(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "syntax_error", "plugin_syntax")
    assert p.error == f"{path}:{line_of(path, 'x: int = (')}: syntax error: '(' was never closed"
    assert f'File "{path}", line {line_of(path, "x: int = (")}' in p.traceback


def test_corpus_exception_at_import(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "import_error", "plugin_import_error")
    assert p.error == "RuntimeError: plugin_import_error is broken on purpose"
    assert f'File "{path}", line {len(open(path).read().splitlines())}, in <module>' in p.traceback
    assert frame(path, "raise RuntimeError") in p.traceback
    assert p.traceback.rstrip().endswith("RuntimeError: plugin_import_error is broken on purpose")


def test_corpus_exception_in_register(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "register_error", "plugin_register_error")
    assert p.error == "ValueError: register() of plugin_register_error fails on purpose"
    assert frame(path, "raise ValueError") in p.traceback


def test_corpus_exception_in_unregister(tmp_path, manager):
    before, modules = registry_state(), set(sys.modules)
    m = manager(corpus(tmp_path, "unregister_error"))
    m.load_all()
    p = status(m, "plugin_unregister_error")
    assert p.state == "loaded"
    assert m.unload("plugin_unregister_error") == ["plugin_unregister_error"]
    assert p.state == "unloaded"
    assert p.error == ("unregister() raised RuntimeError: unregister() of plugin_unregister_error "
                       "fails on purpose (the plugin was unloaded anyway)")
    assert frame(p.path, "raise RuntimeError") in p.traceback
    assert registry_state() == before
    assert set(sys.modules) == modules


def test_corpus_invalid_annotation(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "invalid_annotation", "plugin_bad_annotation")
    assert p.error == ("RegistrationError: Bad.values: unsupported annotation 'set[int]': "
                       "set[int] is not a type typehost can store")
    assert f'File "{path}", line ' in p.traceback
    assert "corpus.invalid_annotation.Good" not in typehost.type_keys()


def test_corpus_key_clash_with_another_plugin(tmp_path, manager):
    before, modules = registry_state(), set(sys.modules)
    m = manager(corpus(tmp_path, "key_clash"))
    m.load_all()
    owner, thief = status(m, "clash_owner"), status(m, "clash_thief")
    assert owner.state == "loaded" and thief.state == "failed"
    assert thief.error == ("RegistrationError: cannot register 'corpus.key_clash.Shared': "
                           "the key is owned by 'plugin:clash_owner'")
    assert frame(thief.path, '@py_class("corpus.key_clash.Shared")') in thief.traceback \
        or frame(thief.path, "class Shared(Object)") in thief.traceback
    after = registry_state()
    assert set(after) - set(before) == {"corpus.key_clash.Shared"}
    info = typehost.type_info("corpus.key_clash.Shared")
    assert info.plugin == "clash_owner" and [f.name for f in info.fields] == ["x"]
    assert set(sys.modules) - modules == {"clash_owner"}


def test_corpus_runaway_import_is_interrupted(tmp_path, manager):
    started = time.monotonic()
    m, p, path = load_failing(tmp_path, manager, "runaway_import", "runaway_import", timeout=1.0)
    assert time.monotonic() - started < 5
    assert p.error == "plugin 'runaway_import' ran longer than 1 s and was interrupted"
    assert re.search(rf'File "{re.escape(path)}", line (13|14)', p.traceback), p.traceback


def test_corpus_runaway_register_is_interrupted(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "runaway_register", "runaway_register", timeout=1.0)
    assert p.error == "plugin 'runaway_register' ran longer than 1 s and was interrupted"
    assert f'File "{path}", line ' in p.traceback and "in register" in p.traceback


def test_corpus_plugin_deleting_its_own_module(tmp_path, manager):
    before, modules = registry_state(), set(sys.modules)
    m = manager(corpus(tmp_path, "deletes_own_module"))
    m.load_all()
    ok, failing = status(m, "self_deleting"), status(m, "self_deleting_fails")
    assert ok.state == "loaded" and ok.types == ["corpus.deletes_own_module.Thing"]
    assert failing.state == "failed"
    assert failing.error == "RuntimeError: self_deleting_fails fails after deleting its module"
    assert frame(failing.path, "raise RuntimeError") in failing.traceback
    assert m.reload("self_deleting").ok
    m.unload("self_deleting")
    assert registry_state() == before
    assert set(sys.modules) == modules


def test_corpus_class_waiting_for_a_forward_reference(tmp_path, manager):
    m, p, path = load_failing(tmp_path, manager, "pending_forward_ref", "waiting")
    assert p.error == "RuntimeError: waiting fails while Waiting waits for Later"
    assert frame(path, "raise RuntimeError") in p.traceback
    write(tmp_path / "corpus" / "pending_forward_ref" / "waiting.py", """
        from typehost import Object, py_class

        @py_class("corpus.pending_forward_ref.Waiting")
        class Waiting(Object):
            later: "Later"
            fixed: bool = True

        @py_class("corpus.pending_forward_ref.Later")
        class Later(Object):
            x: int = 0
    """)
    assert m.reload("waiting").ok
    waiting = typehost.get_class("corpus.pending_forward_ref.Waiting")
    assert waiting is sys.modules["waiting"].Waiting
    assert [f.name for f in typehost.type_info(waiting).fields] == ["later", "fixed"]


def test_world_writable_plugin_file_is_refused(tmp_path, manager):
    path = write(tmp_path / "p" / "open_file.py", """
        from typehost import Object, py_class

        @py_class("tests.plugins.open_file.A")
        class A(Object):
            x: int = 0
    """)
    os.chmod(path, os.stat(path).st_mode | stat.S_IWOTH)
    before, modules = registry_state(), set(sys.modules)
    m = manager(tmp_path / "p")
    m.load_all()
    p = status(m, "open_file")
    assert p.state == "failed"
    assert p.error == (f"refusing to load plugin 'open_file': {path} is writable by other users; "
                       f"fix it with 'chmod o-w {path}' or start with --allow-insecure-plugins")
    assert registry_state() == before and set(sys.modules) == modules
    allowed = manager(tmp_path / "p", allow_insecure=True)
    allowed.load_all()
    assert status(allowed, "open_file").state == "loaded"


def test_world_writable_plugin_directory_is_refused(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "in_open_dir.py", "")
    os.chmod(d, os.stat(d).st_mode | stat.S_IWOTH)
    m = manager(d)
    m.load_all()
    assert status(m, "in_open_dir").error.startswith(
        f"refusing to load plugin 'in_open_dir': {d} is writable by other users")


def test_world_writable_file_inside_a_package_plugin_is_refused(tmp_path, manager):
    init = write(tmp_path / "p" / "pack" / "__init__.py", "from . import inner\n")
    inner = write(tmp_path / "p" / "pack" / "inner.py", "")
    os.chmod(inner, os.stat(inner).st_mode | stat.S_IWOTH)
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "pack").error.startswith(
        f"refusing to load plugin 'pack': {inner} is writable by other users")
    assert init.exists()


# ---------------------------------------------------------------------------------------
# Reload


V1 = """
    from typehost import Object, field, py_class
    __plugin__ = {"version": "1.0"}

    @py_class("tests.plugins.evolving.Kept")
    class Kept(Object):
        a: int = 0

    @py_class("tests.plugins.evolving.Changed")
    class Changed(Object):
        same: int = 0
        retyped: int = 0
        defaulted: str = "old"
        dropped: bool = False

    @py_class("tests.plugins.evolving.Removed")
    class Removed(Object):
        x: int = 0
"""

V2 = """
    from typehost import Object, field, py_class
    __plugin__ = {"version": "2.0"}

    @py_class("tests.plugins.evolving.Kept")
    class Kept(Object):
        a: int = 0

    @py_class("tests.plugins.evolving.Changed")
    class Changed(Object):
        same: int = 0
        retyped: float = 0.0
        defaulted: str = "new"
        added: list[int] = field(default_factory=list)

    @py_class("tests.plugins.evolving.Added")
    class Added(Object):
        y: int = 0
"""


def test_reload_swaps_in_the_new_version_and_reports_the_changes(tmp_path, manager):
    path = write(tmp_path / "p" / "evolving.py", V1)
    m = manager(tmp_path / "p")
    m.load_all()
    old_changed = typehost.get_class("tests.plugins.evolving.Changed")
    old_instance = old_changed()
    write(path, V2)
    report = m.reload("evolving")
    assert report.as_dict() == {
        "plugin": "evolving", "ok": True,
        "added": ["tests.plugins.evolving.Added"],
        "removed": ["tests.plugins.evolving.Removed"],
        "changed": [{"key": "tests.plugins.evolving.Changed", "fields_added": ["added"],
                     "fields_removed": ["dropped"], "fields_retyped": ["retyped"],
                     "defaults_changed": ["retyped", "defaulted"]}],
        "also_reloaded": [], "values": [], "error": "", "traceback": ""}
    p = status(m, "evolving")
    assert (p.state, p.version, p.error) == ("loaded", "2.0", "")
    assert sorted(p.types) == ["tests.plugins.evolving.Added", "tests.plugins.evolving.Changed",
                               "tests.plugins.evolving.Kept"]
    assert "tests.plugins.evolving.Removed" not in typehost.type_keys()
    new_changed = typehost.get_class("tests.plugins.evolving.Changed")
    assert new_changed is not old_changed and new_changed().defaulted == "new"
    assert sys.modules["evolving"].Changed is new_changed
    assert typehost.type_info(old_instance).stale and old_instance.defaulted == "old"


def test_reload_runs_the_edited_source_even_within_the_same_second(tmp_path, manager):
    path = write(tmp_path / "p" / "quick.py", "VALUE = 1\n")
    m = manager(tmp_path / "p")
    m.load_all()
    write(path, "VALUE = 2\n")   # same size, same mtime second: a stale __pycache__ would match
    assert m.reload("quick").ok
    assert sys.modules["quick"].VALUE == 2


@pytest.mark.parametrize("broken, error", [
    ("raise RuntimeError('v2 is broken')\n", "RuntimeError: v2 is broken"),
    ("def register():\n    raise RuntimeError('v2 register is broken')\n",
     "RuntimeError: v2 register is broken"),
    ("x = (\n", None),
])
def test_failed_reload_keeps_the_old_version_active(tmp_path, manager, broken, error):
    path = write(tmp_path / "p" / "evolving.py", V1)
    m = manager(tmp_path / "p")
    m.load_all()
    before, module = registry_state(), sys.modules["evolving"]
    old_class = typehost.get_class("tests.plugins.evolving.Changed")
    write(path, textwrap.dedent(V2) + broken if not broken.startswith("x") else broken)
    report = m.reload("evolving")
    assert not report.ok
    if error is None:
        assert report.error == f"{path}:1: syntax error: '(' was never closed"
    else:
        assert report.error == error
        assert f'File "{path}", line ' in report.traceback
    assert report.added == report.removed == report.changed == []
    p = status(m, "evolving")
    assert p.state == "loaded" and p.version == "1.0"
    assert p.error == f"reload failed, the previous version stays active: {report.error}"
    assert registry_state() == before
    assert sys.modules["evolving"] is module
    assert typehost.get_class("tests.plugins.evolving.Changed") is old_class
    for key in p.types:
        assert not typehost.type_info(key).stale
    assert old_class().defaulted == "old"
    write(path, V2)
    assert m.reload("evolving").ok
    assert p.error == "" and p.version == "2.0"


def test_reload_that_times_out_keeps_the_old_version(tmp_path, manager):
    path = write(tmp_path / "p" / "evolving.py", V1)
    m = manager(tmp_path / "p", timeout=1.0)
    m.load_all()
    before = registry_state()
    write(path, textwrap.dedent(V2) + "while True:\n    pass\n")
    report = m.reload("evolving")
    assert not report.ok
    assert report.error == "plugin 'evolving' ran longer than 1 s and was interrupted"
    assert registry_state() == before


PUBLISHER = """
    from typehost import Object, publish, published, py_class, unpublish
    __plugin__ = {{"version": "{version}"}}

    @py_class("tests.plugins.publisher.Thing")
    class Thing(Object):
        version: str = "{version}"

    def register():
        publish("tests.publisher.value", Thing())
        {extra}

    def unregister():
        if "tests.publisher.value" in published():
            unpublish("tests.publisher.value")
"""


def published_version():
    value = typehost.published().get("tests.publisher.value")
    return None if value is None else value.version


def test_reload_unregisters_the_old_version_before_registering_the_new(tmp_path, manager):
    path = write(tmp_path / "p" / "publisher.py", PUBLISHER.format(version="1", extra="pass"))
    m = manager(tmp_path / "p")
    m.load_all()
    assert published_version() == "1"
    write(path, PUBLISHER.format(version="2", extra="pass"))
    assert m.reload("publisher").ok
    assert published_version() == "2"
    write(path, PUBLISHER.format(version="3", extra="raise RuntimeError('v3 register fails')"))
    report = m.reload("publisher")
    assert not report.ok and report.error == "RuntimeError: v3 register fails"
    assert published_version() == "2"   # the old register() ran again
    m.unload("publisher")
    assert published_version() is None


def test_reload_reloads_dependents_and_says_so(tmp_path, manager):
    d = tmp_path / "p"
    base = write(d / "base.py", """
        from typehost import Object, py_class

        @py_class("tests.plugins.chain.Base")
        class Base(Object):
            x: int = 0
    """)
    write(d / "child.py", """
        from base import Base
        from typehost import py_class
        __plugin__ = {"requires": ["base"]}

        @py_class("tests.plugins.chain.Child")
        class Child(Base):
            y: int = 0
    """)
    m = manager(d)
    m.load_all()
    child_before = typehost.type_info("tests.plugins.chain.Child").generation
    write(base, """
        from typehost import Object, py_class

        @py_class("tests.plugins.chain.Base")
        class Base(Object):
            x: int = 0
            z: str = ""
    """)
    report = m.reload("base")
    assert report.ok and report.also_reloaded == ["child"]
    assert report.changed == [{"key": "tests.plugins.chain.Base", "fields_added": ["z"],
                               "fields_removed": [], "fields_retyped": [], "defaults_changed": []}]
    child = typehost.type_info("tests.plugins.chain.Child")
    assert child.generation != child_before and not child.stale
    assert [f.name for f in child.fields] == ["x", "z", "y"]
    assert typehost.get_class("tests.plugins.chain.Child")().z == ""


def test_failed_reload_of_a_dependent_keeps_both_old_versions(tmp_path, manager):
    d = tmp_path / "p"
    base = write(d / "base.py", "from typehost import Object, py_class\n")
    child = write(d / "child.py", '__plugin__ = {"requires": ["base"]}\n')
    m = manager(d)
    m.load_all()
    before, modules = registry_state(), dict(sys.modules)
    write(child, '__plugin__ = {"requires": ["base"]}\nraise RuntimeError("child v2")\n')
    report = m.reload("base")
    assert not report.ok
    assert report.error == "dependent plugin 'child' failed: RuntimeError: child v2"
    assert registry_state() == before
    assert sys.modules["base"] is modules["base"] and sys.modules["child"] is modules["child"]


def test_failed_reload_runs_old_registers_again_and_reports_one_that_raises(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "base.py", """
        CALLS = []

        def register():
            CALLS.append("register")

        def unregister():
            CALLS.append("unregister")
    """)
    child = write(d / "child.py", """
        __plugin__ = {"requires": ["base"]}
        CALLS = []

        def register():
            CALLS.append("register")
            if len(CALLS) > 1:
                raise RuntimeError("child registers once")

        def unregister():
            CALLS.append("unregister")
    """)
    m = manager(d)
    m.load_all()
    modules = dict(sys.modules)
    write(child, """
        __plugin__ = {"requires": ["base"]}

        def register():
            raise RuntimeError("child v2 register fails")
    """)
    report = m.reload("base")
    assert not report.ok
    assert report.error == ("dependent plugin 'child' failed: RuntimeError: child v2 register fails (and "
                            "register() of the old 'child' raised RuntimeError: child registers once when run again)")
    assert m.plugins["base"].error == "reload failed, the previous version stays active: " + report.error
    assert [m.plugins[n].state for n in ("base", "child")] == ["loaded", "loaded"]
    assert sys.modules["base"] is modules["base"] and sys.modules["child"] is modules["child"]
    assert sys.modules["base"].CALLS == ["register", "unregister", "register"]
    assert sys.modules["child"].CALLS == ["register", "unregister", "register"]


def test_an_old_unregister_that_raises_is_noted_and_the_reload_goes_on(tmp_path, manager):
    path = write(tmp_path / "p" / "sticky.py", """
        def unregister():
            raise RuntimeError("sticky does not let go")
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    write(path, "VERSION = 2\n")
    report = m.reload("sticky")
    assert (report.ok, report.error) == (True, "")
    p = m.plugins["sticky"]
    assert (p.state, p.error) == ("loaded", "old version's unregister() raised RuntimeError: sticky does not let go")
    assert sys.modules["sticky"].VERSION == 2


def test_reload_of_a_package_reloads_its_submodules(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "kit" / "__init__.py", "from .models import Part\n")
    models = write(d / "kit" / "models.py", """
        from typehost import Object, py_class

        @py_class("tests.plugins.kit.Part")
        class Part(Object):
            name: str = ""
    """)
    m = manager(d)
    m.load_all()
    assert {"kit", "kit.models"} <= set(sys.modules)
    write(models, """
        from typehost import Object, py_class

        @py_class("tests.plugins.kit.Part")
        class Part(Object):
            name: str = ""
            count: int = 1
    """)
    report = m.reload("kit")
    assert report.ok
    assert report.changed[0]["fields_added"] == ["count"]
    assert sys.modules["kit"].Part().count == 1
    m.unload("kit")
    assert not {"kit", "kit.models"} & set(sys.modules)


def test_submodule_imported_after_load_is_unloaded_too(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "late" / "__init__.py", "def later():\n    from . import extra\n")
    write(d / "late" / "extra.py", "")
    m = manager(d)
    m.load_all()
    sys.modules["late"].later()
    assert "late.extra" in sys.modules
    m.unload("late")
    assert "late.extra" not in sys.modules


def test_reload_of_a_failed_plugin_is_a_fresh_load(tmp_path, manager):
    path = write(tmp_path / "p" / "fixme.py", "raise RuntimeError('not yet')\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "fixme").state == "failed"
    write(path, """
        from typehost import Object, py_class

        @py_class("tests.plugins.fixme.A")
        class A(Object):
            x: int = 0
    """)
    report = m.reload("fixme")
    assert report.ok and report.added == ["tests.plugins.fixme.A"]
    assert status(m, "fixme").state == "loaded"


def test_reload_of_a_failed_plugin_checks_its_requirements(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "top", requires=["absent"])
    m = manager(d)
    m.load_all()
    report = m.reload("top")
    assert not report.ok
    assert report.error == "requires plugin 'absent', which is not loaded"
    assert load_log == []


def test_reload_all_reloads_each_plugin_once(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "app", requires=["base"])
    logging_plugin(d, "base")
    m = manager(d)
    m.load_all()
    load_log.clear()
    reports = m.reload_all()
    assert [(r.plugin, r.ok, r.also_reloaded) for r in reports] == [("base", True, ["app"])]
    assert load_log == ["base", "app"]


# ---------------------------------------------------------------------------------------
# Native plugins


def test_native_plugin_loads_and_owns_its_types(tmp_path, manager):
    m = manager(native_plugin_dir())
    before = registry_state()
    m.load_all()
    p = status(m, "geometry")
    assert (p.state, p.native, p.version) == ("loaded", True, "1.0.0")
    assert p.description == "Native vectors, colours and transforms"
    assert sorted(p.types) == ["geo.Color", "geo.Transform", "geo.Vec3"]
    info = typehost.type_info("geo.Transform")
    assert (info.origin, info.plugin) == ("native", "geometry")
    t = typehost.get_class("geo.Transform")()
    assert (t.scale.x, t.translation.x) == (1.0, 0.0)
    report = m.reload("geometry")
    assert not report.ok
    assert report.error == "ImportError: native plugins cannot be reloaded in a running host"
    assert status(m, "geometry").state == "loaded"
    m.unload("geometry")
    assert registry_state() == before
    again = m.reload("geometry")   # not loaded: a fresh load of the library still mapped
    assert again.ok and again.added == ["geo.Color", "geo.Transform", "geo.Vec3"]
    m.unload("geometry")
    assert registry_state() == before


def test_bundled_plugins_load_without_errors(tmp_path, manager):
    m = manager(*_typehost._bundled_plugin_dirs())
    m.load_all()
    assert {p.name: (p.state, p.error) for p in m.plugins.values()} == {
        name: ("loaded", "") for name in ("geometry", "inventory", "notes", "shapes")}
    assert typehost.type_info("shapes.Point3").parent == "geo.Vec3"
    assert m.unload("geometry") == ["shapes", "geometry"]


@pytest.mark.parametrize("name", ["shapes", "inventory", "notes"])
def test_bundled_plugins_reload_unchanged(tmp_path, manager, name):
    m = manager(*_typehost._bundled_plugin_dirs())
    m.load_all()
    report = m.reload(name)
    assert report.error == ""
    assert (report.ok, report.also_reloaded, report.added, report.removed, report.changed) == \
        (True, [], [], [], [])


def test_reload_of_a_plugin_with_an_enum_default(tmp_path, manager):
    write(tmp_path / "p" / "colours.py", """
        import enum
        from typehost import Object, py_class

        class Hue(enum.Enum):
            RED = "red"
            BLUE = "blue"

        @py_class("tests.plugins.colours.Paint")
        class Paint(Object):
            hue: Hue = Hue.RED
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    report = m.reload("colours")
    assert (report.ok, report.error, report.changed) == (True, "", [])


def test_native_plugin_with_another_abi_is_refused(tmp_path, manager):
    if not BUILD_DIR:
        pytest.skip("TYPEHOST_BUILD_DIR is not set")
    d = os.path.join(BUILD_DIR, "tests", "plugins", "bad_abi")
    if not os.path.isfile(os.path.join(d, "libbad_abi.so")):
        pytest.skip("libbad_abi.so is not built (cmake --build ... --target bad_abi)")
    before = registry_state()
    m = manager(d)
    m.load_all()
    p = status(m, "bad_abi")
    assert p.state == "failed"
    assert p.error == (f"ImportError: {p.path}: built for plugin ABI 999 / typesys API 1, but this "
                       "host supports ABI 1 / API 1; rebuild the plugin against this Typehost")
    assert registry_state() == before


def test_shared_library_without_the_entry_point_is_refused(tmp_path, manager):
    lib = tmp_path / "p" / "libnotaplugin.so"
    lib.parent.mkdir()
    lib.write_bytes(b"not an ELF file")
    m = manager(tmp_path / "p")
    m.load_all()
    p = status(m, "notaplugin")
    assert p.state == "failed" and p.native
    assert p.error.startswith(f"ImportError: cannot load {lib}: ")


# ---------------------------------------------------------------------------------------
# Crash guard, safe mode, enable/disable


def test_crash_guard_names_the_plugin_while_it_loads(tmp_path, manager, monkeypatch):
    guard = tmp_path / "state" / "loading.json"
    monkeypatch.setenv("TYPEHOST_TEST_GUARD", str(guard))
    write(tmp_path / "p" / "watched.py", """
        import json, os
        SEEN = json.load(open(os.environ["TYPEHOST_TEST_GUARD"]))
    """)
    m = manager(tmp_path / "p", crash_guard=str(guard))
    m.load_all()
    assert sys.modules["watched"].SEEN == {"plugin": "watched", "pid": os.getpid()}
    assert not guard.exists()


def test_crash_guard_skips_the_plugin_that_was_loading_and_disables_it(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "victim")
    logging_plugin(d, "bystander")
    guard, config = tmp_path / "state" / "loading.json", tmp_path / "config" / "plugins.json"
    guard.parent.mkdir()
    guard.write_text(json.dumps({"plugin": "victim", "pid": 12345}))
    m = manager(d)
    m.load_all()
    p = status(m, "victim")
    assert p.state == "skipped"
    assert p.error == ("skipped: Typehost stopped while loading this plugin last time; fix it, then enable it "
                       "again: typehost-headless enable victim (or Enable in the window's Plugins dock, or "
                       "typehost.plugins.enable('victim'))")
    assert status(m, "bystander").state == "loaded"
    assert load_log == ["bystander"]
    assert not guard.exists()
    assert json.loads(config.read_text()) == {"disabled": ["victim"]}
    again = manager(d)
    again.load_all()
    assert status(again, "victim").state == "disabled"
    again.enable("victim")
    assert status(again, "victim").state == "loaded"
    assert json.loads(config.read_text()) == {"disabled": []}


def test_crash_guard_is_kept_through_safe_mode(tmp_path, manager, load_log):
    logging_plugin(tmp_path / "p", "victim")
    guard = tmp_path / "state" / "loading.json"
    guard.parent.mkdir()
    guard.write_text(json.dumps({"plugin": "victim", "pid": 12345}))
    manager(tmp_path / "p", safe_mode=True).load_all()
    m = manager(tmp_path / "p")
    m.load_all()
    assert status(m, "victim").state == "skipped"
    assert load_log == []


def test_safe_mode_loads_no_plugin(tmp_path, manager, load_log):
    logging_plugin(tmp_path / "p", "one")
    write(tmp_path / "p" / "two.py", "__plugin__ = {'requires': ['one']}\nraise RuntimeError('never')\n")
    m = manager(tmp_path / "p", safe_mode=True)
    before = registry_state()
    m.load_all()
    assert [(p.name, p.state, p.error) for p in m.plugins.values()] == [
        ("one", "skipped", "safe mode: no plugins are loaded"),
        ("two", "skipped", "safe mode: no plugins are loaded")]
    assert load_log == [] and registry_state() == before


def test_disable_persists_and_enable_loads_again(tmp_path, manager, load_log):
    logging_plugin(tmp_path / "p", "switch")
    config = tmp_path / "config" / "plugins.json"
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.disable("switch") == ["switch"]
    assert status(m, "switch").state == "disabled" and "switch" not in sys.modules
    assert json.loads(config.read_text()) == {"disabled": ["switch"]}
    m2 = manager(tmp_path / "p")
    m2.load_all()
    assert status(m2, "switch").state == "disabled"
    assert load_log == ["switch"]
    m2.enable("switch")
    assert status(m2, "switch").state == "loaded"
    assert load_log == ["switch", "switch"]
    assert json.loads(config.read_text()) == {"disabled": []}
    m3 = manager(tmp_path / "p")
    m2.unload("switch")
    m3.load_all()
    assert status(m3, "switch").state == "loaded"


def test_enable_needs_the_requirements_loaded(tmp_path, manager, load_log):
    d = tmp_path / "p"
    logging_plugin(d, "base")
    logging_plugin(d, "top", requires=["base"])
    m = manager(d)
    m.load_all()
    m.disable("base")
    assert status(m, "top").state == "unloaded"
    m.enable("top")
    assert status(m, "top").state == "failed"
    assert status(m, "top").error == "requires plugin 'base', which is not loaded"


def test_listeners_hear_about_changes_and_a_broken_one_does_not_stop_them(tmp_path, manager, capsys,
                                                                           load_log):
    logging_plugin(tmp_path / "p", "heard")
    m = manager(tmp_path / "p")
    calls = []
    m.subscribe(lambda: 1 / 0)
    m.subscribe(lambda: calls.append([p.state for p in m.plugins.values()]))
    m.load_all()
    m.unload("heard")
    assert calls == [["loaded"], ["unloaded"]]
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_plugin_status_as_dict(tmp_path, manager):
    logging_plugin(tmp_path / "p", "plain")
    m = manager(tmp_path / "p")
    m.load_all()
    d = status(m, "plain").as_dict()
    assert set(d) == {"name", "path", "version", "description", "requires", "native", "state",
                      "load_seconds", "types", "error", "traceback", "warnings"}
    json.dumps(d)


# ---------------------------------------------------------------------------------------
# Published values follow the plugin that published them


POSTER = """
    from typehost import Object, publish, py_class

    @py_class("tests.plugins.poster.Box")
    class Box(Object):
        n: int = 0

    def register():
        publish("tests.poster.box", Box({n}))
        publish("tests.poster.note", "v{n}")
        {tail}
"""


def write_poster(directory, n: int, tail: str = ""):
    return write(directory / "poster.py", POSTER.format(n=n, tail=tail))


def test_values_a_failed_load_published_are_rolled_back(tmp_path, manager):
    typehost.publish("tests.poster.note", "from a script")
    try:
        write_poster(tmp_path / "p", 1, tail="raise RuntimeError('late failure')")
        m = manager(tmp_path / "p")
        m.load_all()
        assert status(m, "poster").state == "failed"
        assert "tests.poster.box" not in typehost.published()
        assert typehost.published()["tests.poster.note"] == "from a script"   # restored
    finally:
        typehost.unpublish("tests.poster.note")


def test_unload_removes_the_values_the_plugin_left_published(tmp_path, manager):
    write_poster(tmp_path / "p", 1)
    typehost.publish("tests.poster.other", 5)   # not the plugin's: stays
    try:
        m = manager(tmp_path / "p")
        m.load_all()
        assert typehost.published()["tests.poster.box"].n == 1
        assert m.unload("poster") == ["poster"]
        assert "tests.poster.box" not in typehost.published()
        assert "tests.poster.note" not in typehost.published()
        assert typehost.published()["tests.poster.other"] == 5
    finally:
        typehost.unpublish("tests.poster.other")


def test_reload_replaces_published_values_and_a_failed_reload_keeps_the_old_ones(tmp_path, manager):
    path = write_poster(tmp_path / "p", 1)
    m = manager(tmp_path / "p")
    m.load_all()
    write_poster(tmp_path / "p", 2)
    assert m.reload("poster").ok
    assert typehost.published()["tests.poster.note"] == "v2"
    assert typehost.published()["tests.poster.box"].n == 2
    write_poster(tmp_path / "p", 3, tail="raise RuntimeError('broken edit')")
    assert not m.reload("poster").ok
    assert typehost.published()["tests.poster.note"] == "v2"
    assert typehost.published()["tests.poster.box"].n == 2
    assert not typehost.type_info(typehost.published()["tests.poster.box"]).stale
    assert path.exists()


def test_failure_traceback_starts_at_the_plugin_code(tmp_path, manager):
    path = write(tmp_path / "p" / "deep.py", """
        def helper():
            raise RuntimeError("database not reachable")

        helper()
    """)
    m = manager(tmp_path / "p")
    m.load_all()
    tb = status(m, "deep").traceback
    files = re.findall(r'File "([^"]+)", line (\d+)', tb)
    assert files == [(str(path), "4"), (str(path), "2")]   # no plugin-manager or importlib frames
    assert tb.startswith("Traceback (most recent call last):\n")
    assert tb.endswith("RuntimeError: database not reachable\n")
