"""The process-wide plugin manager (start(), manager()) and `typehost.plugins`, the facade over
it for scripts and the console."""

from __future__ import annotations

from typing import Callable

from . import _context
from ._context import refuse_from_plugin_code
from ._plugin_manager import PluginManager
from ._status import PluginStatus


def manager() -> PluginManager | None:
    return _context.process_manager


def start(dirs: list[str], **options) -> PluginManager:
    """Creates the process-wide manager (replacing an earlier one) and loads all plugins."""
    refuse_from_plugin_code("start the plugin manager")
    if _context.process_manager is not None:
        _context.process_manager.unload_all()
    _context.process_manager = PluginManager(dirs, **options)
    _context.process_manager.load_all()
    return _context.process_manager


class Plugins:
    """The host's plugins (``typehost.plugins``): calling it gives the status of every plugin
    (as before); the methods act on the process-wide manager, as the window's Plugins dock and
    ``typehost-headless enable|disable`` do. Plugin code may read but not load, unload, reload,
    enable or disable (RuntimeError)."""

    def __call__(self) -> list[PluginStatus]:
        """Status of every plugin the host knows: name, version, path, state, load time,
        types, error, traceback and warnings."""
        m = _context.process_manager
        return list(m.plugins.values()) if m is not None else []

    @staticmethod
    def _manager() -> PluginManager:
        if _context.process_manager is None:
            raise RuntimeError("no plugins are loaded in this process (the host was started with --no-plugins, "
                               "or this is not a host)")
        return _context.process_manager

    def status(self, name: str) -> PluginStatus:
        """The status of one plugin (KeyError for an unknown name)."""
        m = self._manager()
        if name not in m.plugins:
            raise KeyError(f"no plugin named {name!r}")
        return m.plugins[name]

    def reload(self, name: str):
        """Loads the new version of a plugin and swaps (docs/plugins.md, "Reload"); returns its
        ReloadReport."""
        return self._manager().reload(name)

    def unload(self, name: str) -> list[str]:
        """Unloads a plugin and the plugins that require it; returns their names."""
        return self._manager().unload(name)

    def enable(self, name: str) -> PluginStatus:
        """Enables a disabled (or crash-guard-skipped) plugin and loads it; remembered."""
        return self._manager().enable(name)

    def disable(self, name: str) -> list[str]:
        """Unloads a plugin and keeps it from loading at later starts; returns what was unloaded."""
        return self._manager().disable(name)

    def on_change(self, callback) -> Callable[[], None]:
        """Calls callback() after every change of any plugin's status; returns a function that
        stops it."""
        m = self._manager()
        m.subscribe(callback)

        def stop():
            m.unsubscribe(callback)
        return stop

    def __repr__(self):
        return f"<typehost.plugins: {len(self())} plugins>"


plugins = Plugins()
