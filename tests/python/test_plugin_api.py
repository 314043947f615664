"""The public plugin API (issue 16): typehost.plugins (status, reload, unload, enable, disable,
on_change) and `typehost-headless enable|disable NAME`, with the crash guard's hint naming the
command to run."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

import typehost
from typehost import _plugins

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures

BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")
HEADLESS = os.path.join(BUILD_DIR, "bin", "typehost-headless")
needs_host = pytest.mark.skipif(not os.access(HEADLESS, os.X_OK), reason="typehost-headless is not built")

GADGET = """
    __plugin__ = {{"version": "{version}"}}
    from typehost import Object, py_class

    @py_class("tests.api.Gadget")
    class Gadget(Object):
        size: int = {version}
"""

USER = """
    __plugin__ = {"requires": ["gadget"]}
    from typehost import Object, py_class
    import gadget

    @py_class("tests.api.User")
    class User(Object):
        thing: gadget.Gadget | None = None
"""


@pytest.fixture
def loaded(tmp_path, manager):
    d = tmp_path / "p"
    path = write(d / "gadget.py", GADGET.format(version=1))
    write(d / "user.py", USER)
    m = manager(d)
    m.load_all()
    return m, path


def test_plugins_is_still_callable_and_lists_every_status(loaded):
    names = sorted(s.name for s in typehost.plugins())
    assert names == ["gadget", "user"]
    assert typehost.plugins.status("gadget").state == "loaded"
    with pytest.raises(KeyError, match="no plugin named 'nope'"):
        typehost.plugins.status("nope")


def test_reload_unload_disable_enable_through_the_public_api(loaded):
    m, path = loaded
    write(path, GADGET.format(version=2))
    report = typehost.plugins.reload("gadget")
    assert report.ok and report.also_reloaded == ["user"]
    assert typehost.get_class("tests.api.Gadget")().size == 2
    assert typehost.plugins.disable("gadget") == ["user", "gadget"]
    assert typehost.plugins.status("gadget").state == "disabled"
    assert "tests.api.Gadget" not in typehost.type_keys()
    assert typehost.plugins.enable("gadget").state == "loaded"
    assert typehost.plugins.unload("gadget") == ["gadget"]   # user was unloaded by the disable


def test_on_change_calls_back_until_stopped(loaded):
    calls = []
    stop = typehost.plugins.on_change(lambda: calls.append(1))
    typehost.plugins.unload("user")
    assert calls == [1]
    stop()
    typehost.plugins.enable("user")
    assert calls == [1]


def test_the_api_without_a_manager_says_why(monkeypatch):
    monkeypatch.setattr(_plugins, "_manager", None)
    assert typehost.plugins() == []
    with pytest.raises(RuntimeError, match="no plugins are loaded in this process"):
        typehost.plugins.reload("x")


def run(tmp_path, *args):
    env = {k: v for k, v in os.environ.items() if k != "TYPEHOST_PLUGIN_PATH"}
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    return subprocess.run([HEADLESS, "--no-bundled", *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=120)


@needs_host
def test_disable_and_enable_commands_persist_and_report(tmp_path):
    d = tmp_path / "p"
    write(d / "gadget.py", GADGET.format(version=1))
    write(d / "user.py", USER)
    r = run(tmp_path, "--plugins", d, "disable", "gadget")
    assert (r.returncode, r.stdout, r.stderr) == (0, "disabled gadget (also unloaded, as they require it: user)\n", "")
    listed = json.loads(run(tmp_path, "--plugins", d, "--json", "plugins").stdout)
    assert {p["name"]: p["state"] for p in listed}["gadget"] == "disabled"
    r = run(tmp_path, "--plugins", d, "enable", "gadget")
    assert (r.returncode, r.stdout) == (0, "enabled gadget: loaded\n"), r.stderr
    listed = json.loads(run(tmp_path, "--plugins", d, "--json", "plugins").stdout)
    assert {p["name"]: p["state"] for p in listed} == {"gadget": "loaded", "user": "loaded"}


@needs_host
def test_enable_of_a_plugin_that_still_fails_exits_1_and_says_why(tmp_path):
    d = tmp_path / "p"
    write(d / "broken.py", "raise RuntimeError('still broken')\n")
    assert run(tmp_path, "--plugins", d, "disable", "broken").returncode == 0
    r = run(tmp_path, "--plugins", d, "enable", "broken")
    assert r.returncode == 1
    assert r.stdout == "enabled broken: failed: RuntimeError: still broken\n"


@needs_host
@pytest.mark.parametrize("args, status, message", [
    (["enable"], 2, "enable takes one plugin NAME"),
    (["disable", "a", "b"], 2, "disable takes one plugin NAME"),
    (["enable", "nope"], 1, "no plugin named 'nope' (plugins: gadget)"),
], ids=["no-name", "two-names", "unknown"])
def test_enable_and_disable_usage_errors(tmp_path, args, status, message):
    d = tmp_path / "p"
    write(d / "gadget.py", GADGET.format(version=1))
    r = run(tmp_path, "--plugins", d, *args)
    assert r.returncode == status and message in r.stderr, r.stderr
