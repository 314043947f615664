"""Where plugins come from: the plugin directories in their order, and discovery in them (each
entry's plugin name and static metadata, shadowing by name, the module-name check)."""

from __future__ import annotations

import os

from ._metadata import apply_metadata, read_metadata
from ._names import check_module_names
from ._status import FAILED, SKIPPED, PluginStatus


def default_plugin_dirs(extra: list[str], bundled: list[str]) -> list[str]:
    """--plugins dirs, TYPEHOST_PLUGIN_PATH, the user directory, then the bundled ones."""
    dirs = list(extra)
    env = os.environ.get("TYPEHOST_PLUGIN_PATH", "")
    dirs += [d for d in env.split(":") if d]
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    dirs.append(os.path.join(data, "typehost", "plugins"))
    dirs += bundled
    seen, out = set(), []
    for d in dirs:
        key = os.path.abspath(d)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def discover(dirs: list[str]) -> tuple[list[PluginStatus], dict[str, str]]:
    """The plugins in the plugin directories dirs, in order (a plugin shadowed by an earlier one
    of the same name is skipped), and which plugin each module name is."""
    found: list[PluginStatus] = []
    names: dict[str, PluginStatus] = {}
    for d in dirs:
        try:
            entries = sorted(os.listdir(d))
        except OSError:
            continue
        for entry in entries:
            if entry.startswith((".", "_")):
                continue
            path = os.path.join(d, entry)
            if entry.endswith(".py") and os.path.isfile(path):
                default_name, native = entry[:-3], False
            elif os.path.isdir(path) and os.path.isfile(os.path.join(path, "__init__.py")):
                default_name, native = entry, False
            elif entry.endswith(".so") and os.path.isfile(path):
                default_name, native = entry[3:-3] if entry.startswith("lib") else entry[:-3], True
            else:
                continue
            status = PluginStatus(name=default_name, path=os.path.abspath(path), native=native)
            if not native:
                meta, problem, detail = read_metadata(path)
                status.name = str(meta.get("name", default_name))
                apply_metadata(status, meta)
                if problem:
                    status.state, status.error, status.traceback = FAILED, problem, detail
            if status.name in names:
                status.state = SKIPPED
                status.error = f"shadowed by {names[status.name].path} (same plugin name)"
                found.append(status)
                continue
            names[status.name] = status
            found.append(status)
    return found, check_module_names([s for s in found if s.state != SKIPPED], dirs)
