"""Imports of plugin modules: the finder first on sys.meta_path that refuses the module name of
a plugin that is not loaded (and gives plugin code its code-cached specs), the guarded
__import__ and importlib.import_module that refuse, while plugin code runs, an import of a
plugin the running one does not require, and the real paths of the plugin directories."""

from __future__ import annotations

import builtins
import importlib.machinery
import os
import sys
from contextlib import contextmanager

from .. import _bytecode
from ._context import current_manager, current_plugin, importing_manager
from ._metadata import read_metadata
from ._status import LOADED

# ---- plugin module names and imports of them ----
#
# A plugin is imported under its module name (garden.py: "garden"), so that name must be free:
# not a standard-library module, not a module importable from outside the plugin directories,
# not another discovered plugin's module (_names.module_name_problem). And the name is
# importable only while the plugin is loaded, which puts its module into sys.modules:
#
# - FINDER, first on sys.meta_path, answers for the module name of every discovered plugin
#   that is not in sys.modules (not loaded, failed, disabled, ...) with an ImportError saying
#   why, instead of letting the path finder import the plugin's file as a plain module (whose
#   types would belong to the importer, and which would take the plugin's name);
# - while plugin code runs, builtins.__import__ is _guarded_import, which refuses an import of
#   another plugin's module that the running plugin does not require, also when that module is
#   imported already (the import statement finds it in sys.modules without asking a finder).

plugin_paths: set = set()   # real paths of the directories managers appended to sys.path


_real_paths: dict | None = None   # realpath results, kept only while load_all runs


def real_path(entry: str) -> str:
    entry = entry or os.curdir   # "" on sys.path is the current directory
    if _real_paths is None:
        return os.path.realpath(entry)
    real = _real_paths.get(entry)
    if real is None:
        real = _real_paths[entry] = os.path.realpath(entry)
    return real


@contextmanager
def real_paths_kept():
    """Keeps realpath results while the block runs (one load_all pass resolves the same
    directories many times: each plugin's module-name check walks sys.path, and
    os.path.realpath is an lstat per component)."""
    global _real_paths
    outer, _real_paths = _real_paths, {} if _real_paths is None else _real_paths
    try:
        yield
    finally:
        _real_paths = outer


class PluginModuleFinder:
    """A sys.meta_path finder that finds nothing: it refuses the module name of a discovered
    plugin whose module is not in sys.modules."""

    def find_spec(self, fullname, path=None, target=None):
        if path is not None:   # a submodule: its package was imported first
            package = sys.modules.get(fullname.rpartition(".")[0])
            if isinstance(getattr(package, "__loader__", None), _bytecode.CachedSourceLoader):
                # a plugin package's submodule: found as the path finder finds it, its code cached
                return _bytecode.cached_spec(importlib.machinery.PathFinder.find_spec(fullname, path))
            return None
        m = importing_manager()
        q = m.plugin_for_module(fullname) if m is not None else None
        if q is not None:
            raise ImportError(import_refusal(m, q, fullname), name=fullname)
        if current_plugin() is not None and plugin_paths:
            return self._helper_spec(fullname)
        return None

    @staticmethod
    def _helper_spec(fullname):
        """A module next to a plugin, imported while plugin code runs: its code cached as the
        plugin's own (_bytecode.py). Anything else (built-in, frozen, found elsewhere): None,
        for the finders after this one."""
        if (importlib.machinery.BuiltinImporter.find_spec(fullname) is not None
                or importlib.machinery.FrozenImporter.find_spec(fullname) is not None):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname)
        if spec is None or not spec.origin or not spec.has_location:
            return None
        home = spec.origin if spec.submodule_search_locations is None else os.path.dirname(spec.origin)
        if os.path.dirname(real_path(home)) not in plugin_paths:
            return None
        return _bytecode.cached_spec(spec)

    def __repr__(self):
        return "<typehost plugin module finder>"


FINDER = PluginModuleFinder()


def install_finder() -> None:
    if not any(f is FINDER for f in sys.meta_path):
        sys.meta_path.insert(0, FINDER)


_real_import = builtins.__import__   # the import statement's function, as it was at start
_import_guards = 0                   # how many plugin calls run with _guarded_import


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and current_plugin() is not None:
        m = current_manager()
        if m is not None:
            check_import(m, name.partition(".")[0])
    return _real_import(name, globals, locals, fromlist, level)


_real_import_module = importlib.import_module   # importlib.import_module as it was at start


def _guarded_import_module(name, package=None):
    # importlib.import_module returns a module already in sys.modules without the import
    # statement's function: the same check for plugin code that calls it as
    # importlib.import_module(...) (a reference taken before the plugin ran is not covered).
    if not name.startswith(".") and current_plugin() is not None:
        m = current_manager()
        if m is not None:
            check_import(m, name.partition(".")[0])
    return _real_import_module(name, package)


def guard_imports() -> None:
    """Installs _guarded_import (and _guarded_import_module) while plugin code runs. Left alone
    when something else has replaced them (the finder still refuses plugins that are not
    loaded)."""
    global _import_guards
    if _import_guards == 0:
        if builtins.__import__ is _real_import:
            builtins.__import__ = _guarded_import
        if importlib.import_module is _real_import_module:
            importlib.import_module = _guarded_import_module
    _import_guards += 1


def unguard_imports() -> None:
    global _import_guards
    _import_guards -= 1
    if _import_guards == 0:
        if builtins.__import__ is _guarded_import:
            builtins.__import__ = _real_import
        if importlib.import_module is _guarded_import_module:
            importlib.import_module = _real_import_module


# ---- which plugin may import which ----

def _may_import(manager, plugin: str, other: str) -> bool:
    """Whether plugin's code may import plugin other: other is in its requires (also in the
    __plugin__ of the file now, which a reload reads before it applies it)."""
    p = manager.plugins.get(plugin)
    if p is None or other in p.requires:
        return True
    if not p.native:
        meta, problem, _ = read_metadata(p.path)
        req = meta.get("requires", []) if not problem else []
        if isinstance(req, (list, tuple)) and other in [str(r) for r in req]:
            return True
    return False


def _unrequired(plugin: str, q) -> str:
    return (f"plugin {plugin!r} imports plugin {q.name!r} without requiring it: "
            f"add {q.name!r} to {plugin}'s requires in its __plugin__")


def check_import(manager, module: str) -> None:
    """Refuses an import of another plugin's module from the code of a plugin that does not
    require it (called by _guarded_import while plugin code runs on this thread)."""
    q = manager.plugin_for_module(module)
    plugin = current_plugin()
    if q is not None and plugin is not None and q.name != plugin and not _may_import(manager, plugin, q.name):
        raise ImportError(_unrequired(plugin, q), name=module)


def import_refusal(manager, q, module: str) -> str:
    """Why module, plugin q's module name, cannot be imported now on this thread (it is not
    in sys.modules)."""
    plugin = current_plugin()
    if plugin is not None and q.name != plugin and not _may_import(manager, plugin, q.name):
        return _unrequired(plugin, q)
    if q.state == LOADED:
        return (f"cannot import {module!r}: plugin {q.name!r} is loaded, but its module is not "
                "in sys.modules (it is being reloaded, or was removed from sys.modules)")
    why = q.state + (f": {q.error}" if q.error else "")
    return f"cannot import {module!r}: it is the module of plugin {q.name!r}, which is not loaded ({why})"
