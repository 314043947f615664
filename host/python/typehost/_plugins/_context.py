"""Whose code runs: the ownership context of each thread (the plugin whose import, register()
or unregister() the manager runs on it, and that manager), the plugins whose code runs now on
any thread, the process-wide manager, @py_class's owner hook that follows them, and the refusal
of manager calls from plugin code."""

from __future__ import annotations

import os
import sys
import threading

from .._registration import set_owner_hook
from ._status import LOADED

# ---- ownership context ----
#
# Per thread: the plugin whose code (import, register(), unregister()) the manager runs on this
# thread. Types decorated and values published on that thread belong to that plugin, and the
# load's journal records that thread's changes only. A thread the plugin starts has an empty
# context, as does every thread while no plugin code runs on it: its types belong to their
# module ("module:<module>"), its values to nobody, and a rollback leaves them alone.
_thread = threading.local()
running: list[str] = []   # plugins whose code runs now, on any thread, innermost last

# The process-wide manager (start() makes it, manager() returns it): scripts' imports are checked
# against its plugins. Tests replace it (typehost._plugins._manager, which reads and sets this).
process_manager = None


def current_plugin() -> str | None:
    """The plugin whose code the manager runs on the calling thread, or None."""
    return getattr(_thread, "plugin", None)


def current_manager():
    """The manager that runs plugin code on the calling thread, or None."""
    return getattr(_thread, "manager", None)


def enter(plugin: str, manager) -> tuple:
    """Makes plugin (run by manager) the calling thread's context; returns the previous one, for
    leave()."""
    previous = (current_plugin(), current_manager())
    _thread.plugin, _thread.manager = plugin, manager
    return previous


def leave(previous: tuple) -> None:
    _thread.plugin, _thread.manager = previous


def importing_manager():
    """The manager whose plugins an import on this thread is about: the one running plugin code
    on this thread, else the process-wide one."""
    m = current_manager()
    return m if m is not None else process_manager


def refuse_from_plugin_code(what: str) -> None:
    """The manager is not re-entrant: plugin code (and threads it starts) may not load,
    unload, reload, enable or disable plugins while plugin code runs. Doing it from register()
    would unload a plugin whose status the load's rollback cannot restore, or a requirement
    of the plugin being loaded."""
    if running:
        raise RuntimeError(f"cannot {what} while the code of plugin {running[-1]!r} runs: plugin "
                           "code cannot load, unload, reload, enable or disable plugins")


def plugin_defining(manager, module: str) -> str | None:
    """The plugin of manager whose file defines module (its module or a submodule) when that
    plugin is loaded or its code runs; None for any other module (a helper, the standard
    library, a script)."""
    top = module.partition(".")[0]
    q = manager.plugin_for_module(top)
    if q is None or (q.state != LOADED and q.name not in running):
        return None
    file = getattr(sys.modules.get(top), "__file__", None)
    if not isinstance(file, str) or os.path.abspath(file) not in (q.path, os.path.join(q.path, "__init__.py")):
        return None   # something else took the name
    return q.name


def _owner_for(cls: type) -> str | None:
    """@py_class's owner hook: the owner of a class decorated now on the calling thread, or None
    while no plugin code runs on it (then the class belongs to its module, or to the plugin set
    by hand in _registration.state.current_plugin). Ownership follows the file: a class of a plugin's
    module or submodule belongs to that plugin whichever plugin's code decorates it; a class of
    any other module (a helper, a module made on the fly) to the plugin whose code runs."""
    plugin = current_plugin()
    if plugin is None:
        return None
    manager = current_manager()
    defining = plugin_defining(manager, str(cls.__module__)) if manager is not None else None
    return "plugin:" + (defining or plugin)


# @py_class asks the owner hook for the owner of each class; the per-thread context lives here
# (the manager never sets the process-wide _registration.state.current_plugin).
set_owner_hook(_owner_for)
