"""The plugin manager: discovery, static metadata, dependency order, transactional load,
unload and reload with reports, timeouts, the crash guard and the security check.

Runs on the host's Python thread. A plugin failure is a value (PluginStatus.error and
.traceback), never an exception out of this package. See docs/plugins.md.

The modules, by concern (each depends only on those above it):

- _status: the states, PluginStatus, PluginTimeout, the timeout's bound, and how a failure
  becomes an error and a traceback;
- _context: whose code runs on each thread, the process-wide manager, @py_class's owner hook;
- _metadata: __plugin__, read from the source without running it;
- _imports: the finder that refuses plugins that are not loaded, the guarded imports of plugin
  code (requires), the real paths of the plugin directories;
- _names: a plugin's module name, why it is not free, which modules are the plugin's;
- _security: the check that no other user can change a plugin's code;
- _problems: the problems `check` and --strict report and PluginStatus.warnings lists;
- _discovery: the plugin directories and discovery in them;
- _files: the disabled list and the crash guard file;
- _order: the dependency order and the dependents of a plugin;
- _report: ReloadReport and what fills it (type changes, migrated values);
- _transaction: PluginTransaction, which makes a load or reload undoable;
- _plugin_manager: PluginManager;
- _facade: start(), manager() and `typehost.plugins`.

This package re-exports what other code imports from typehost._plugins.
"""

from __future__ import annotations

import sys
import types

from . import _context
from ._context import current_plugin
from ._context import running as _running  # noqa: F401 - tests check that no plugin code runs
from ._facade import Plugins, manager, plugins, start
from ._discovery import default_plugin_dirs
from ._metadata import parse_metadata as _parse_metadata  # noqa: F401
from ._metadata import read_metadata as _read_metadata  # noqa: F401
from ._plugin_manager import PluginManager
from ._problems import format_problem
from ._report import reload_report_class
from ._status import (CRASH_GUARD_SKIP, DISABLED, FAILED, LOADED, MAX_TIMEOUT, SKIPPED, UNLOADED, PluginStatus,
                      PluginTimeout)

__all__ = [
    "LOADED", "FAILED", "DISABLED", "SKIPPED", "UNLOADED", "MAX_TIMEOUT", "CRASH_GUARD_SKIP",
    "PluginStatus", "ReloadReport", "PluginTimeout", "PluginManager", "Plugins", "plugins",
    "manager", "start", "current_plugin", "default_plugin_dirs", "format_problem",
]


def __getattr__(name):
    if name == "ReloadReport":   # made on first use (a dataclass costs code generation at start-up)
        return reload_report_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _Package(types.ModuleType):
    """typehost._plugins itself, so that `_manager` reads and sets the one process-wide
    manager, _context.process_manager, which the finder and the facade read (tests set it with
    monkeypatch.setattr(typehost._plugins, "_manager", m), as before the split)."""

    @property
    def _manager(self):
        return _context.process_manager

    @_manager.setter
    def _manager(self, m):
        _context.process_manager = m


sys.modules[__name__].__class__ = _Package
