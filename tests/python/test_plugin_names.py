"""Plugin module names and imports of plugins: a plugin whose module name is a standard-library
module, a module importable from outside the plugin directories, or another plugin's module is
refused before any of it runs; a plugin's module is importable only while the plugin is loaded,
and plugin code may import only the plugins it requires; a type belongs to the plugin whose file
defines it.

Every test builds its own PluginManager over plugins in tmp_path (also the process-wide one,
typehost._plugins.manager(), which scripts' imports consult), with the crash guard, the config
file and the XDG directories in tmp_path, and unloads what it loaded. A few run the host
(typehost-headless) in a subprocess, where no module is imported before the plugins load.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import textwrap
import types

import pytest

import typehost

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures

BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")
HEADLESS = os.path.join(BUILD_DIR, "bin", "typehost-headless")
needs_host = pytest.mark.skipif(not os.access(HEADLESS, os.X_OK),
                                reason="TYPEHOST_BUILD_DIR/bin/typehost-headless is not built")

# ---------------------------------------------------------------------------------------
# Fixtures and helpers



def ran_marker(tmp_path, name: str) -> str:
    """A plugin body line that leaves a file behind if the plugin's code ever runs."""
    return f"open({str(tmp_path / ('ran_' + name))!r}, 'w').close()\n"


def host_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TYPEHOST_PLUGIN_PATH"}
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_host(tmp_path, *args):
    return subprocess.run([HEADLESS, *map(str, args)], env=host_env(tmp_path), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


# ---------------------------------------------------------------------------------------
# Module names: the standard library


# (file or package directory, plugin name or None for the default, a check that the real
# standard-library module still works)
STDLIB_CASES = {
    "statistics": ("statistics.py", "stats", lambda: __import__("statistics").mean([1, 2]) == 1.5),
    "platform": ("platform.py", None, lambda: isinstance(__import__("platform").system(), str)),
    "logging": ("logging", None, lambda: __import__("logging").getLogger("tests.names").name == "tests.names"),
    "csv": ("csv.py", None, lambda: list(__import__("csv").reader(["a,b"])) == [["a", "b"]]),
    "uuid": ("uuid.py", None, lambda: __import__("uuid").uuid4().version == 4),
}


def write_stdlib_plugin(tmp_path, module: str):
    entry, name, _ = STDLIB_CASES[module]
    meta = f"__plugin__ = {{'name': {name!r}}}\n" if name else ""
    body = meta + ran_marker(tmp_path, module) + "def mean(values):\n    return 'not the real one'\n"
    d = tmp_path / "p"
    if entry.endswith(".py"):
        write(d / entry, body)
    else:
        write(d / entry / "__init__.py", body)
    return d, name or module


@pytest.mark.parametrize("module", sorted(STDLIB_CASES))
def test_plugin_named_like_a_standard_library_module_is_refused_before_it_runs(tmp_path, manager, module):
    d, name = write_stdlib_plugin(tmp_path, module)
    entry = STDLIB_CASES[module][0]
    renamed = f"{name}_plugin.py" if entry.endswith(".py") else f"{name}_plugin/"
    shown = entry if entry.endswith(".py") else entry + "/"
    m = manager(d)
    listed = {p.name: p for p in m.discover()}
    m.load_all()
    p = m.plugins[name]
    expected = (f"plugin {name!r} cannot use the module name {module!r}: it is a standard-library "
                f"module; rename {shown} (e.g. to {renamed})")
    assert (p.state, p.error, p.traceback) == ("failed", expected, "")
    assert (listed[name].state, listed[name].error) == ("failed", expected)   # the listing says it too
    assert not (tmp_path / f"ran_{module}").exists()
    real = sys.modules.get(module)
    assert real is None or not str(getattr(real, "__file__", "")).startswith(str(tmp_path))
    assert STDLIB_CASES[module][2]()   # the standard-library module still works in this process
    assert not str(getattr(sys.modules[module], "__file__", "")).startswith(str(tmp_path))


def test_statistics_example_message_names_the_file_and_a_new_name(tmp_path, manager):
    d, _ = write_stdlib_plugin(tmp_path, "statistics")
    m = manager(d)
    m.load_all()
    assert m.plugins["stats"].error == (
        "plugin 'stats' cannot use the module name 'statistics': it is a standard-library module; "
        "rename statistics.py (e.g. to stats_plugin.py)")
    import statistics
    assert statistics.mean([1, 2]) == 1.5


def test_refused_module_name_holds_for_reload_enable_and_dependents(tmp_path, manager):
    d, _ = write_stdlib_plugin(tmp_path, "statistics")
    write(d / "needs_stats.py", "__plugin__ = {'requires': ['stats']}\n" + ran_marker(tmp_path, "needs_stats"))
    m = manager(d)
    m.load_all()
    error = m.plugins["stats"].error
    assert m.plugins["needs_stats"].error == "requires plugin 'stats', which failed to load"
    report = m.reload("stats")            # a failed plugin: a fresh load
    assert (report.ok, report.error) == (False, error)
    assert m.enable("stats").error == error
    assert m.reload_all()[-1].error == error
    assert m.plugins["stats"].state == "failed"
    assert not (tmp_path / "ran_statistics").exists() and not (tmp_path / "ran_needs_stats").exists()
    import statistics
    assert statistics.mean([1, 2]) == 1.5


def test_other_plugins_get_the_real_standard_library_module(tmp_path, manager):
    d, _ = write_stdlib_plugin(tmp_path, "statistics")
    write(d / "averages.py", """
        import statistics

        MEAN = statistics.mean([1, 2])
    """)
    m = manager(d)
    m.load_all()
    assert m.plugins["averages"].state == "loaded", m.plugins["averages"].error
    assert sys.modules["averages"].MEAN == 1.5


@needs_host
def test_host_refuses_a_statistics_plugin_and_scripts_get_the_real_module(tmp_path):
    # In a fresh host no one has imported statistics before the plugins load.
    d, _ = write_stdlib_plugin(tmp_path, "statistics")
    r = run_host(tmp_path, "--plugins", d, "-c", textwrap.dedent("""
        import sys
        import typehost
        was_imported = "statistics" in sys.modules
        import statistics
        p = {s.name: s for s in typehost.plugins()}["stats"]
        print(was_imported, p.state, statistics.mean([1, 2]))
        print(p.error)
    """))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "False failed 1.5",
        "plugin 'stats' cannot use the module name 'statistics': it is a standard-library module; "
        "rename statistics.py (e.g. to stats_plugin.py)"]
    assert not (tmp_path / "ran_statistics").exists()
    listing = run_host(tmp_path, "--plugins", d, "plugins")
    assert "stats (failed): plugin 'stats' cannot use the module name 'statistics'" in listing.stdout


# ---------------------------------------------------------------------------------------
# Module names: modules importable from elsewhere, and other plugins


def test_plugin_named_like_a_site_package_is_refused(tmp_path, manager, monkeypatch):
    site = tmp_path / "site"
    write(site / "names_site_pkg" / "__init__.py", "WHERE = 'site'\n")
    monkeypatch.syspath_prepend(str(site))
    d = tmp_path / "p"
    write(d / "names_site_pkg.py", ran_marker(tmp_path, "site_pkg"))
    m = manager(d)
    m.load_all()
    assert m.plugins["names_site_pkg"].error == (
        "plugin 'names_site_pkg' cannot use the module name 'names_site_pkg': a module of that name is "
        f"importable from {site / 'names_site_pkg' / '__init__.py'}; rename names_site_pkg.py "
        "(e.g. to names_site_pkg_plugin.py)")
    assert not (tmp_path / "ran_site_pkg").exists()
    import names_site_pkg
    assert names_site_pkg.WHERE == "site"
    sys.modules.pop("names_site_pkg", None)


def test_reload_refuses_a_module_name_taken_since_the_plugin_loaded(tmp_path, manager, monkeypatch):
    write(tmp_path / "p" / "names_taken_later.py", "VERSION = 1\n")
    m = manager(tmp_path / "p")
    m.load_all()
    old = sys.modules["names_taken_later"]
    site = tmp_path / "site"
    write(site / "names_taken_later.py", "WHERE = 'site'\n")
    monkeypatch.syspath_prepend(str(site))
    report = m.reload("names_taken_later")
    assert not report.ok
    assert report.error == (
        "ImportError: plugin 'names_taken_later' cannot use the module name 'names_taken_later': a module "
        f"of that name is importable from {site / 'names_taken_later.py'}; rename names_taken_later.py "
        "(e.g. to names_taken_later_plugin.py)")
    p = m.plugins["names_taken_later"]
    assert p.state == "loaded" and p.error == "reload failed, the previous version stays active: " + report.error
    assert sys.modules["names_taken_later"] is old


def test_plugin_named_like_an_installed_package_is_refused(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "pytest.py", "__plugin__ = {'name': 'mytest'}\n" + ran_marker(tmp_path, "pytest"))
    m = manager(d)
    m.load_all()
    assert m.plugins["mytest"].error == (
        "plugin 'mytest' cannot use the module name 'pytest': a module of that name is importable from "
        f"{pytest.__file__}; rename pytest.py (e.g. to mytest_plugin.py)")
    assert not (tmp_path / "ran_pytest").exists()
    assert sys.modules["pytest"] is pytest


def test_two_plugins_with_the_same_module_name_are_both_refused(tmp_path, manager):
    one = write(tmp_path / "one" / "shared.py", "__plugin__ = {'name': 'alpha'}\n" + ran_marker(tmp_path, "alpha"))
    two = write(tmp_path / "two" / "shared.py", "__plugin__ = {'name': 'beta'}\n" + ran_marker(tmp_path, "beta"))
    m = manager(tmp_path / "one", tmp_path / "two")
    m.load_all()
    assert m.plugins["alpha"].error == (
        f"plugin 'alpha' cannot use the module name 'shared': plugin 'beta' ({two}) has the same module "
        f"name; rename {one} (e.g. to alpha_plugin.py)")
    assert m.plugins["beta"].error == (
        f"plugin 'beta' cannot use the module name 'shared': plugin 'alpha' ({one}) has the same module "
        f"name; rename {two} (e.g. to beta_plugin.py)")
    assert {m.plugins["alpha"].state, m.plugins["beta"].state} == {"failed"}
    assert "shared" not in sys.modules
    assert not (tmp_path / "ran_alpha").exists() and not (tmp_path / "ran_beta").exists()
    assert m.reload("beta").error == m.plugins["beta"].error   # a fresh load refuses it again


def test_a_plugin_shadowed_by_name_does_not_refuse_the_one_that_shadows_it(tmp_path, manager):
    write(tmp_path / "user" / "garden_names.py", "VERSION = 'user'\n")
    write(tmp_path / "bundled" / "garden_names.py", "VERSION = 'bundled'\n")
    m = manager(tmp_path / "user", tmp_path / "bundled")
    m.load_all()
    assert m.plugins["garden_names"].state == "loaded", m.plugins["garden_names"].error
    assert sys.modules["garden_names"].VERSION == "user"
    shadowed = [p for p in m.discover() if p.state == "skipped"]
    assert [p.error for p in shadowed] == [f"shadowed by {tmp_path / 'user' / 'garden_names.py'} (same plugin name)"]


def test_plugins_with_the_same_module_name_in_earlier_tests_do_not_count(tmp_path, manager):
    # Plugin directories of earlier managers stay on sys.path; a plugin named like one of
    # their modules is not "importable from elsewhere".
    for run in ("first", "second"):
        write(tmp_path / run / "recurring_names.py", f"RUN = {run!r}\n")
        m = manager(tmp_path / run)
        m.load_all()
        assert m.plugins["recurring_names"].state == "loaded", m.plugins["recurring_names"].error
        assert sys.modules["recurring_names"].RUN == run
        m.unload_all()


def test_plugin_named_like_a_module_made_at_run_time_is_refused_as_in_use(tmp_path, manager, monkeypatch):
    # Not a file anywhere, so only the check at load time sees it.
    made = types.ModuleType("names_made_at_run_time")
    monkeypatch.setitem(sys.modules, "names_made_at_run_time", made)
    path = write(tmp_path / "p" / "names_made_at_run_time.py", ran_marker(tmp_path, "made"))
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["names_made_at_run_time"].error == (
        f"ImportError: cannot load plugin 'names_made_at_run_time' from {path}: the module name "
        "'names_made_at_run_time' is already in use (rename the plugin's file or directory)")
    assert sys.modules["names_made_at_run_time"] is made
    assert not (tmp_path / "ran_made").exists()


# ---------------------------------------------------------------------------------------
# Importing another plugin


PROVIDER = textwrap.dedent("""
    from typehost import Object, py_class

    @py_class("tests.names.provider.Thing")
    class Thing(Object):
        x: int = 0

    def make_type(key):
        @py_class(key)
        class Made(Object):
            y: int = 0
        return Made
""")

UNREQUIRED = "ImportError: plugin 'consumer' imports plugin 'provider' without requiring it: " \
             "add 'provider' to consumer's requires in its __plugin__"


def consumer_source(import_line: str, requires: bool = False) -> str:
    meta = "__plugin__ = {'requires': ['provider']}\n" if requires else ""
    return meta + textwrap.dedent("""
        from typehost import Object, py_class

        @py_class("tests.names.consumer.Own")
        class Own(Object):
            z: int = 0

    """) + import_line + "\n"


def provider_and_consumer(tmp_path, consumer_first: bool, import_line="import provider", requires=False):
    write(tmp_path / "prov" / "provider.py", PROVIDER)
    write(tmp_path / "cons" / "consumer.py", consumer_source(import_line, requires))
    dirs = [tmp_path / "prov", tmp_path / "cons"]
    return dirs[::-1] if consumer_first else dirs


def assert_provider_is_itself(m, tmp_path):
    provider = m.plugins["provider"]
    assert provider.state == "loaded", provider.error
    assert provider.types == ["tests.names.provider.Thing"]
    info = typehost.type_info("tests.names.provider.Thing")
    assert (info.plugin, info.owner) == ("provider", "plugin:provider")
    assert sys.modules["provider"].__file__ == str(tmp_path / "prov" / "provider.py")


# importlib.import_module of a module already imported asks no finder and bypasses the import
# statement: importlib.import_module itself is checked while plugin code runs (docs/plugins.md).
@pytest.mark.parametrize("import_line, consumer_first", [
    ("import provider", True), ("import provider", False),
    ("from provider import Thing", True), ("from provider import Thing", False),
    ("import importlib; importlib.import_module('provider')", True),
    ("import importlib; importlib.import_module('provider')", False),
], ids=["import-consumer_first", "import-provider_first", "from_import-consumer_first",
        "from_import-provider_first", "import_module-consumer_first", "import_module-provider_first"])
def test_importing_a_plugin_that_is_not_required_fails_in_either_load_order(tmp_path, manager, consumer_first,
                                                                            import_line):
    m = manager(*provider_and_consumer(tmp_path, consumer_first, import_line))
    m.load_all()
    consumer = m.plugins["consumer"]
    assert (consumer.state, consumer.error) == ("failed", UNREQUIRED)
    assert "tests.names.consumer.Own" not in typehost.type_keys()
    assert "consumer" not in sys.modules
    assert_provider_is_itself(m, tmp_path)


def test_unrequired_import_traceback_starts_in_the_plugin(tmp_path, manager):
    m = manager(*provider_and_consumer(tmp_path, consumer_first=True))
    m.load_all()
    tb = m.plugins["consumer"].traceback
    assert f'File "{tmp_path / "cons" / "consumer.py"}", line 7' in tb
    assert tb.rstrip().endswith(UNREQUIRED), tb


@pytest.mark.parametrize("consumer_first", [True, False], ids=["consumer_first", "provider_first"])
def test_a_consumer_that_requires_provider_gets_the_loaded_module(tmp_path, manager, consumer_first):
    line = "import provider\nSAME = provider\nMADE = provider.make_type('tests.names.provider.Made')"
    m = manager(*provider_and_consumer(tmp_path, consumer_first, line, requires=True))
    m.load_all()
    assert m.plugins["consumer"].state == "loaded", m.plugins["consumer"].error
    assert sys.modules["consumer"].SAME is sys.modules["provider"]
    # A class of provider's file belongs to provider, also when consumer's code decorates it.
    made = typehost.type_info("tests.names.provider.Made")
    assert (made.plugin, made.owner) == ("provider", "plugin:provider")
    assert typehost.type_info("tests.names.consumer.Own").plugin == "consumer"
    assert sorted(m.plugins["provider"].types) == ["tests.names.provider.Made", "tests.names.provider.Thing"]
    assert m.plugins["consumer"].types == ["tests.names.consumer.Own"]
    assert m.unload("provider") == ["consumer", "provider"]
    assert "tests.names.provider.Made" not in typehost.type_keys()


def test_reloading_provider_gives_the_consumer_the_new_module(tmp_path, manager):
    m = manager(*provider_and_consumer(tmp_path, False, "import provider\nSAME = provider", requires=True))
    m.load_all()
    old = sys.modules["provider"]
    report = m.reload("provider")
    assert report.ok and report.also_reloaded == ["consumer"], report.error
    assert sys.modules["provider"] is not old
    assert sys.modules["consumer"].SAME is sys.modules["provider"]


def test_reload_that_adds_the_requirement_may_import_the_plugin(tmp_path, manager):
    m = manager(*provider_and_consumer(tmp_path, False, "pass"))
    m.load_all()
    assert m.plugins["consumer"].state == "loaded"
    write(tmp_path / "cons" / "consumer.py", consumer_source("import provider\nSAME = provider", requires=True))
    report = m.reload("consumer")
    assert report.ok, report.error
    assert sys.modules["consumer"].SAME is sys.modules["provider"]
    assert m.plugins["consumer"].requires == ["provider"]


def test_reload_that_adds_an_unrequired_import_keeps_the_old_version(tmp_path, manager):
    m = manager(*provider_and_consumer(tmp_path, False, "pass"))
    m.load_all()
    write(tmp_path / "cons" / "consumer.py", consumer_source("import provider"))
    report = m.reload("consumer")
    assert not report.ok and report.error == UNREQUIRED
    assert m.plugins["consumer"].state == "loaded"
    assert_provider_is_itself(m, tmp_path)


def test_a_helper_module_next_to_a_plugin_belongs_to_the_plugin_that_imports_it(tmp_path, manager):
    d = tmp_path / "p"
    write(d / "_names_helper.py", """
        from typehost import Object, py_class

        @py_class("tests.names.helper.Helped")
        class Helped(Object):
            x: int = 0
    """)
    write(d / "helped.py", "import _names_helper\n")
    m = manager(d)
    m.load_all()
    assert m.plugins["helped"].types == ["tests.names.helper.Helped"]
    assert typehost.type_info("tests.names.helper.Helped").owner == "plugin:helped"


# ---------------------------------------------------------------------------------------
# Scripts importing plugins


def test_a_script_importing_a_failed_plugin_is_told_it_is_not_loaded_and_why(tmp_path, manager):
    write(tmp_path / "p" / "provider.py", PROVIDER + "\nraise RuntimeError('provider fails')\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert m.plugins["provider"].state == "failed"
    with pytest.raises(ImportError) as caught:
        import provider  # noqa: F401
    assert str(caught.value) == ("cannot import 'provider': it is the module of plugin 'provider', which is "
                                 "not loaded (failed: RuntimeError: provider fails)")
    with pytest.raises(ImportError, match="which is not loaded"):
        importlib.import_module("provider")
    with pytest.raises(ImportError, match="which is not loaded"):
        importlib.util.find_spec("provider")
    assert "provider" not in sys.modules
    assert "tests.names.provider.Thing" not in typehost.type_keys()


def test_a_script_importing_a_disabled_plugin_is_told_it_is_disabled(tmp_path, manager):
    write(tmp_path / "p" / "provider.py", PROVIDER)
    m = manager(tmp_path / "p")
    m.load_all()
    m.disable("provider")
    with pytest.raises(ImportError, match=r"^cannot import 'provider': it is the module of plugin 'provider', "
                                          r"which is not loaded \(disabled\)$"):
        import provider  # noqa: F401


def test_a_script_importing_a_loaded_plugin_gets_its_module(tmp_path, manager):
    write(tmp_path / "p" / "provider.py", PROVIDER)
    m = manager(tmp_path / "p")
    m.load_all()
    import provider
    assert provider is sys.modules["provider"]
    assert provider.Thing(x=1).x == 1


@needs_host
def test_host_script_importing_a_failed_plugin_fails_with_the_reason(tmp_path):
    write(tmp_path / "p" / "provider.py", PROVIDER + "\nraise RuntimeError('provider fails')\n")
    r = run_host(tmp_path, "--plugins", tmp_path / "p", "-c", "import provider")
    assert r.returncode == 1
    assert ("ImportError: cannot import 'provider': it is the module of plugin 'provider', which is not "
            "loaded (failed: RuntimeError: provider fails)") in r.stderr
