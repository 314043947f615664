"""The files the plugin manager keeps: the list of disabled plugins
($XDG_CONFIG_HOME/typehost/plugins.json) and the crash guard ($XDG_STATE_HOME/typehost/
loading.json, which names the plugin whose code runs while it runs)."""

from __future__ import annotations

import json
import os


def state_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "typehost")


def config_file() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "typehost", "plugins.json")


def read_disabled(path: str) -> set:
    """The disabled plugins the config file at path names (none when it cannot be read)."""
    try:
        with open(path) as f:
            return set(json.load(f).get("disabled", []))
    except (OSError, ValueError, AttributeError):
        return set()


def save_disabled(path: str, disabled: set) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"disabled": sorted(disabled)}, f, indent=2)


def crashed_plugin(guard: str) -> str | None:
    """The plugin the crash guard file names: the process that wrote it stopped while that
    plugin's code ran."""
    try:
        with open(guard) as f:
            return json.load(f).get("plugin")
    except (OSError, ValueError, AttributeError):
        return None


def set_crash_guard(guard: str, name: str | None) -> None:
    """Names plugin name in the crash guard file, or removes the file (name None)."""
    if name is None:
        try:
            os.remove(guard)
        except OSError:
            pass
        return
    try:
        os.makedirs(os.path.dirname(guard), exist_ok=True)
        # No fsync: the guard is for a crash of this process, after which the kernel still
        # writes what write() gave it; only an OS crash loses it (a plugin is then not
        # skipped once, which is no harm), and an fsync per plugin cost start-up time.
        with open(guard, "w") as f:
            json.dump({"plugin": name, "pid": os.getpid()}, f)
    except OSError:
        pass
