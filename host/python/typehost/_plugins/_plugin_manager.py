"""PluginManager: discovery, loading in dependency order, unload, reload with reports, enable and
disable, and the listeners of status changes. Each load and reload runs in a PluginTransaction
(_transaction.py), so that a failure leaves everything as it was.

Runs on the host's Python thread. A plugin failure is a value (PluginStatus.error and
.traceback), never an exception out of the manager. See docs/plugins.md.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import _typehost

from .. import _bytecode
from .._registration import state as _registrations
from . import _context, _files
from ._context import refuse_from_plugin_code
from ._discovery import discover
from ._imports import guard_imports, install_finder, plugin_paths, real_path, real_paths_kept, unguard_imports
from ._metadata import apply_metadata, read_metadata
from ._names import module_name, module_name_problem
from ._order import dependency_order, dependents, missing_requirement
from ._problems import plugin_problems, refresh_warnings
from ._report import migrated_values, reload_report, report_type_changes, type_snapshot
from ._security import refusal
from ._status import (CRASH_GUARD_SKIP, DISABLED, FAILED, LOADED, SKIPPED, UNLOADED, PluginStatus, PluginTimeout,
                      checked_timeout, describe)
from ._transaction import PluginTransaction


class PluginManager:
    def __init__(self, dirs: list[str], *, allow_insecure=False, timeout=10.0, safe_mode=False,
                 crash_guard: str | None = None, config_file: str | None = None):
        self.dirs = list(dirs)
        self.allow_insecure = allow_insecure
        self.timeout = checked_timeout(timeout)
        self.safe_mode = safe_mode
        self.crash_guard = crash_guard or os.path.join(_files.state_dir(), "loading.json")
        self.config_file = config_file or _files.config_file()
        self.plugins: dict[str, PluginStatus] = {}
        self._modules: dict[str, list[str]] = {}     # plugin -> module names it added
        self._module_objects: dict[str, object] = {}  # plugin -> its top module
        # module name -> the discovered Python plugin that is imported under it (the first, for
        # plugins that share one); not plugins whose module name is a module from elsewhere.
        self._module_plugins: dict[str, str] = {}
        self._listeners: list = []
        install_finder()

    # ---- discovery ----

    def discover(self) -> list[PluginStatus]:
        return discover(self.dirs)[0]

    # ---- loading ----

    def load_all(self) -> list[PluginStatus]:
        refuse_from_plugin_code("load plugins")
        with real_paths_kept():
            return self._load_all()

    def _load_all(self) -> list[PluginStatus]:
        self.unload_all()   # a second load_all starts from a clean slate
        found, module_plugins = discover(self.dirs)
        self.plugins = {}
        for p in found:
            if p.state == SKIPPED and p.name in self.plugins:
                continue
            self.plugins.setdefault(p.name, p)
        self._module_plugins = module_plugins
        # Safe mode leaves the crash guard for the next normal start to act on.
        crashed = None if self.safe_mode else _files.crashed_plugin(self.crash_guard)
        if not self.safe_mode:
            _files.set_crash_guard(self.crash_guard, None)
        disabled = _files.read_disabled(self.config_file)
        candidates = []
        for p in self.plugins.values():
            if p.state in (FAILED, SKIPPED):
                continue
            if self.safe_mode:
                p.state, p.error = SKIPPED, "safe mode: no plugins are loaded"
            elif p.name == crashed:
                p.state = SKIPPED
                p.error = (CRASH_GUARD_SKIP + f"; fix it, then enable it again: typehost-headless enable {p.name} "
                           "(or Enable in the window's Plugins dock, or typehost.plugins.enable("
                           f"{p.name!r}))")
                disabled.add(p.name)
                try:
                    _files.save_disabled(self.config_file, disabled)
                except OSError:
                    pass
            elif p.name in disabled:
                p.state, p.error = DISABLED, ""
            candidates.append(p)
        for p in [] if self.safe_mode else dependency_order(candidates, dict(self.plugins)):
            if p.state != UNLOADED:
                continue
            # The order checked what was known before loading; a requirement may have failed since.
            missing = missing_requirement(p, self.plugins)
            if missing:
                p.state, p.error = FAILED, f"requires plugin {missing!r}, which failed to load"
                continue
            self._load(p)
        self._refresh_warnings()   # a plugin loaded later may have answered an earlier one's reference
        self._notify()
        return list(self.plugins.values())

    def problems(self) -> list[dict]:
        """What `typehost-headless check` and --strict report, in plugin order: every plugin
        that failed, every plugin the crash guard skipped, and each loaded plugin's warnings
        (refreshed now). A disabled plugin, one skipped in safe mode or shadowed by another of
        the same name is not a problem."""
        return plugin_problems(self.plugins.values())

    def _refresh_warnings(self, only: PluginStatus | None = None) -> None:
        """Sets PluginStatus.warnings of every loaded plugin (or of only) from the registry
        now; a plugin that is not loaded has none."""
        refresh_warnings([only] if only is not None else self.plugins.values())

    def _check_module_name(self, p: PluginStatus) -> bool:
        """Fails p if its module name is not free (again: a fresh load after discovery)."""
        problem = module_name_problem(p, self.plugins.values(), self.dirs)
        name = module_name(p)
        if problem is None or problem[0] == "shared":
            self._module_plugins.setdefault(name, p.name)
        elif self._module_plugins.get(name) == p.name:
            del self._module_plugins[name]
        if problem is None:
            return True
        p.state, p.error, p.traceback = FAILED, problem[1], ""
        return False

    def _check_security(self, p: PluginStatus) -> bool:
        error = None if self.allow_insecure else refusal(p.name, p.path)
        if error is None:
            return True
        p.state, p.error, p.traceback = FAILED, error, ""
        return False

    def plugin_for_module(self, name: str) -> PluginStatus | None:
        """The discovered Python plugin imported under top-level module name, or None."""
        plugin = self._module_plugins.get(name)
        return self.plugins.get(plugin) if plugin is not None else None

    def loaded_modules(self, p: PluginStatus) -> list[str]:
        """p's modules: those it added while loading, and its submodules imported since."""
        prefix = module_name(p) + "."
        return sorted(set(self._modules.get(p.name, [])) | {m for m in sys.modules if m.startswith(prefix)})

    def module_object(self, name: str):
        """The top module of loaded plugin name (None for a native plugin)."""
        return self._module_objects.get(name)

    def _keep(self, tx: PluginTransaction, p: PluginStatus) -> None:
        """After tx committed: p's modules and module object are those of its new version."""
        self._modules[p.name] = tx.new_modules(p)
        self._module_objects[p.name] = tx.module_objects[p.name]

    def _exec(self, p: PluginStatus, checked: bool = False):
        """Imports p's module (register() not yet called) into sys.modules under its name;
        checks the module name first unless the caller did (checked)."""
        name = module_name(p)
        if name in sys.modules:
            raise ImportError(f"cannot load plugin {p.name!r} from {p.path}: the module name {name!r} is "
                              "already in use (rename the plugin's file or directory)")
        if not checked:
            problem = module_name_problem(p, self.plugins.values(), self.dirs)
            if problem is not None:
                raise ImportError(problem[1])
        directory = os.path.dirname(p.path)
        if directory not in sys.path:
            sys.path.append(directory)  # lets a plugin import the helper modules next to it
        plugin_paths.add(real_path(directory))
        # The plugin's code comes from the code cache (_bytecode.py) when its source is unchanged;
        # its package's submodules too (_imports.PluginModuleFinder).
        file = os.path.join(p.path, "__init__.py") if os.path.isdir(p.path) else p.path
        spec = importlib.util.spec_from_file_location(
            name, file, loader=_bytecode.CachedSourceLoader(name, file),
            submodule_search_locations=[p.path] if os.path.isdir(p.path) else None)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import plugin {p.name!r} from {p.path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    @staticmethod
    def _register(module):
        register = getattr(module, "register", None)
        if callable(register):
            register()
        return module

    def run_guarded(self, p: PluginStatus, fn):
        """Runs plugin code fn with the ownership context, the timeout and the crash guard
        set. Each call has its own watchdog: a nested _call_with_timeout in the plugin's code
        does not disarm or move this deadline."""
        previous = _context.enter(p.name, self)
        previous_publisher = _typehost._set_thread_owner("plugin:" + p.name)
        _context.running.append(p.name)
        guard_imports()
        _files.set_crash_guard(self.crash_guard, p.name)
        try:
            if self.timeout <= 0:
                return fn()
            try:
                return _typehost._call_with_timeout(self.timeout, PluginTimeout, fn)
            except PluginTimeout as e:
                e.args = (f"plugin {p.name!r} ran longer than {self.timeout:g} s and was interrupted",)
                raise
        finally:
            _context.leave(previous)
            _typehost._set_thread_owner(previous_publisher)
            unguard_imports()
            _context.running.pop()
            _files.set_crash_guard(self.crash_guard, None)

    def _load(self, p: PluginStatus) -> bool:
        p.error = p.traceback = ""
        p.warnings = []
        if not p.native and not self._check_module_name(p):
            return False
        if not self._check_security(p):
            return False
        owner = "plugin:" + p.name
        tx = PluginTransaction(self, [p])
        tx.begin()
        try:
            if p.native:
                result = self.run_guarded(p, lambda: _typehost._load_native(p.path, owner))
                if not result["ok"]:
                    raise ImportError(result["error"])
                p.version = result.get("version", "")
                p.description = result.get("description", "")
                module = None
            else:
                module = self.run_guarded(p, lambda: self._register(self._exec(p, checked=True)))
        except BaseException as exc:  # noqa: BLE001 - every plugin failure becomes its status
            tx.rollback()
            p.state = FAILED
            p.error, p.traceback = describe(exc)
            p.load_seconds = tx.seconds()
            return False
        tx.module_objects[p.name] = module
        tx.commit()
        p.load_seconds = tx.seconds()
        self._keep(tx, p)
        p.state = LOADED
        p.types = _typehost._owned_keys(owner)
        # A class this load decorated in the module of a plugin it requires is that plugin's.
        for q in self.plugins.values():
            if q is not p and q.state == LOADED:
                q.types = _typehost._owned_keys("plugin:" + q.name)
        self._refresh_warnings(p)
        return True

    def _fresh_load(self, p: PluginStatus) -> bool:
        """Loads a plugin that is not loaded, reading its metadata again."""
        if not p.native:
            meta, problem, detail = read_metadata(p.path)
            if problem:
                p.state, p.error, p.traceback = FAILED, problem, detail
                return False
            apply_metadata(p, meta)
        missing = missing_requirement(p, self.plugins)
        if missing:
            p.state, p.error, p.traceback = FAILED, f"requires plugin {missing!r}, which is not loaded", ""
            return False
        p.state = UNLOADED
        return self._load(p)

    # ---- unloading ----

    def _unload_one(self, p: PluginStatus):
        module = self._module_objects.pop(p.name, None)
        unregister = getattr(module, "unregister", None) if module is not None else None
        if callable(unregister):
            try:
                self.run_guarded(p, unregister)
            except BaseException as exc:  # noqa: BLE001
                p.error = f"unregister() raised {type(exc).__name__}: {exc} (the plugin was unloaded anyway)"
                import traceback
                p.traceback = "".join(traceback.format_exception(exc))
        _typehost._remove_owner("plugin:" + p.name)
        gone = self.loaded_modules(p)
        for name in gone:
            sys.modules.pop(name, None)
        self._modules.pop(p.name, None)
        _registrations.forget({"plugin:" + p.name}, gone + [module_name(p)])
        p.types = []
        p.warnings = []
        p.state = UNLOADED

    def unload(self, name: str) -> list[str]:
        refuse_from_plugin_code(f"unload plugin {name!r}")
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        if p.state != LOADED:
            return []
        order = dependents(self.plugins, name) + [name]
        for n in order:
            self._unload_one(self.plugins[n])
        for n in order[:-1]:
            self.plugins[n].error = f"unloaded because it requires {name!r}, which was unloaded"
        self._refresh_warnings()   # what the others referred to may be gone
        self._notify()
        return order

    def unload_all(self) -> list[str]:
        """Unloads every loaded plugin, dependents first; returns the names unloaded."""
        refuse_from_plugin_code("unload plugins")
        done: list[str] = []
        for p in reversed(list(self.plugins.values())):
            if p.state == LOADED:
                for n in dependents(self.plugins, p.name) + [p.name]:
                    self._unload_one(self.plugins[n])
                    done.append(n)
        if done:
            self._notify()
        return done

    # ---- reload ----

    def reload(self, name: str):
        """Loads the new version of plugin name and of the plugins that require it, then swaps,
        in one transaction; returns a ReloadReport (docs/plugins.md, "Reload")."""
        refuse_from_plugin_code(f"reload plugin {name!r}")
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        report = reload_report(plugin=name)
        if p.state in (DISABLED, SKIPPED):
            report.error = f"plugin {name!r} is {p.state}"
            return report
        if p.state != LOADED:  # a failed or unloaded plugin: reload is a fresh load
            report.ok = self._fresh_load(p)
            report.added = sorted(p.types)
            report.error, report.traceback = p.error, p.traceback
            self._refresh_warnings()
            self._notify()
            return report
        also = dependents(self.plugins, name)[::-1]   # each after the plugins it requires
        chain = [p] + [self.plugins[n] for n in also]
        old_keys = {q.name: _typehost._owned_keys("plugin:" + q.name) for q in chain}
        before_types = type_snapshot(old_keys[name])
        tx = PluginTransaction(self, chain, replacing=True)
        tx.begin()
        metas: dict[str, dict] = {}
        notes: dict[str, str] = {}
        for q in chain:
            failure = self._replace(tx, q, old_keys[q.name], metas, notes)
            if failure is not None:
                return self._reload_failed(tx, p, report, failure)
        # Published values move to the new versions with the reload (nothing can fail after
        # this: the journal commits next).
        report.values = migrated_values()
        tx.commit()
        for q in chain:
            self._keep(tx, q)
            apply_metadata(q, metas[q.name])
            q.state = LOADED
            q.types = _typehost._owned_keys("plugin:" + q.name)
            q.error, q.traceback = notes.get(q.name, ""), ""
        p.load_seconds = tx.seconds()
        report.ok = True
        report.also_reloaded = also
        report_type_changes(report, before_types, _typehost._owned_keys("plugin:" + name))
        self._refresh_warnings()
        self._notify()
        return report

    def _replace(self, tx: PluginTransaction, q: PluginStatus, old_keys: list, metas: dict, notes: dict):
        """Loads the new version of q in tx: reads its metadata (into metas), runs its module
        body, the old version's unregister() (what it raised goes into notes) and the new
        register(), and removes the types of the old version the new one did not define again.
        Returns (plugin, error, traceback) of a failure, else None."""
        if q.native:
            return q.name, "ImportError: native plugins cannot be reloaded in a running host", ""
        metas[q.name], problem, detail = read_metadata(q.path)
        if problem:
            return q.name, problem, detail
        generations = {k: _generation(k) for k in old_keys}
        try:
            module = self.run_guarded(q, lambda: self._exec(q))
            # The old version lets go (unpublishes, disconnects) before the new one registers.
            note = tx.unregister_old(q)
            if note:
                notes[q.name] = note
            tx.module_objects[q.name] = self.run_guarded(q, lambda: self._register(module))
        except BaseException as exc:  # noqa: BLE001
            return (q.name, *describe(exc))
        # Types of the old version that the new one did not define again go away.
        gone = [k for k in old_keys if generations[k] is not None and _generation(k) == generations[k]]
        if gone:
            _typehost._remove(gone, "plugin:" + q.name)
        return None

    def _reload_failed(self, tx: PluginTransaction, p: PluginStatus, report, failure: tuple):
        """Rolls tx back after plugin `who` of the reload of p failed: the old versions stay
        active, p's status says why."""
        who, report.error, report.traceback = failure
        report.error += "".join(f" (and {error})" for error in tx.rollback())
        if who != p.name:
            report.error = f"dependent plugin {who!r} failed: {report.error}"
        p.error = f"reload failed, the previous version stays active: {report.error}"
        p.traceback = report.traceback
        self._notify()
        return report

    def reload_all(self) -> list:
        """Reloads every loaded Python plugin once (a dependent comes along with what it
        requires), then tries every failed plugin again."""
        refuse_from_plugin_code("reload plugins")
        reloadable = {p.name for p in self.plugins.values() if p.state == LOADED and not p.native}
        roots = [p.name for p in self.plugins.values()
                 if p.name in reloadable and not any(r in reloadable for r in p.requires)]
        failed = [p.name for p in self.plugins.values() if p.state == FAILED]
        return [self.reload(name) for name in roots + failed]

    # ---- enable / disable ----

    def disable(self, name: str) -> list[str]:
        refuse_from_plugin_code(f"disable plugin {name!r}")
        if name not in self.plugins:
            raise KeyError(f"no plugin named {name!r}")
        unloaded = self.unload(name) if self.plugins[name].state == LOADED else []
        disabled = _files.read_disabled(self.config_file)
        disabled.add(name)
        _files.save_disabled(self.config_file, disabled)
        self.plugins[name].state = DISABLED
        self._notify()
        return unloaded

    def enable(self, name: str) -> PluginStatus:
        refuse_from_plugin_code(f"enable plugin {name!r}")
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        disabled = _files.read_disabled(self.config_file)
        disabled.discard(name)
        _files.save_disabled(self.config_file, disabled)
        if p.state in (DISABLED, SKIPPED, UNLOADED, FAILED):
            self._fresh_load(p)
            self._refresh_warnings()
        self._notify()
        return p

    # ---- listeners ----

    def subscribe(self, fn):
        self._listeners.append(fn)

    def unsubscribe(self, fn) -> None:
        """Stops calling fn (nothing if it is not subscribed)."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _notify(self):
        for fn in list(self._listeners):
            try:
                fn()
            except Exception:  # noqa: BLE001 - a broken listener must not break the manager
                import traceback
                traceback.print_exc()


def _generation(key: str) -> int | None:
    try:
        return _typehost._type_info(key)["generation"]
    except (KeyError, TypeError):
        return None
