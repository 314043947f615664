"""Fixtures of the plugin tests: import them into a test module
(`from plugin_fixtures import manager, write, xdg`), where `xdg` is autouse.

- xdg: every per-user directory (XDG state, config, data, cache) points into tmp_path and
  TYPEHOST_PLUGIN_PATH is unset, so no test touches the real ones.
- manager: makes PluginManagers over the given directories, with the crash guard and the
  config file in tmp_path; the last one made is also typehost._plugins.manager() (which plugin
  code and the imports of scripts consult); everything they loaded is unloaded afterwards.
- write(path, text): writes a dedented plugin source file, creating directories.
"""

from __future__ import annotations

import textwrap

import pytest

from typehost import _plugins
from typehost._plugins import PluginManager


@pytest.fixture(autouse=True)
def xdg(tmp_path, monkeypatch):
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        path = tmp_path / "xdg" / var.lower()
        path.mkdir(parents=True)
        monkeypatch.setenv(var, str(path))
    monkeypatch.delenv("TYPEHOST_PLUGIN_PATH", raising=False)
    return tmp_path / "xdg"


@pytest.fixture
def manager(tmp_path, monkeypatch):
    made = []

    def make(*dirs, timeout=5.0, **options):
        options.setdefault("crash_guard", str(tmp_path / "state" / "loading.json"))
        options.setdefault("config_file", str(tmp_path / "config" / "plugins.json"))
        m = PluginManager([str(d) for d in dirs], timeout=timeout, **options)
        made.append(m)
        monkeypatch.setattr(_plugins, "_manager", m)
        return m

    yield make
    for m in reversed(made):
        m.unload_all()


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path
