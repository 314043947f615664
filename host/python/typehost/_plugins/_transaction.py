"""PluginTransaction: one load or reload of plugins, which rollback() undoes exactly until
commit() keeps it.

A load or reload changes four things that must all be put back when plugin code fails (docs/
plugins.md, "Transactional load" and "Reload"): sys.modules (the new version's modules come in,
the old version's go out), the module objects the manager keeps to call unregister() and
register(), what @py_class remembers (_registration.state: the classes waiting for a name and
the decorated classes by module), and the registry with the published values (the registry
journal). The transaction takes them at begin(), keeps the record of what changed since (the
new modules, the new versions' module objects, the old versions whose unregister() ran) and
restores them in one order in rollback()."""

from __future__ import annotations

import sys
import time

import _typehost

from .._registration import state as _registrations
from ._names import module_name, owns_module


class PluginTransaction:
    """The load (replacing=False: plugins not loaded now) or the reload (replacing=True: plugins
    loaded now, whose running versions the new ones replace) of plugins, in load order.

    manager is the PluginManager doing it: its loaded_modules(p) and module_object(name) are
    the running versions, and run_guarded(p, fn) runs their register() and unregister()."""

    def __init__(self, manager, plugins: list, *, replacing: bool = False):
        self._manager = manager
        self.plugins = list(plugins)
        self._replacing = replacing
        self._old_modules: dict[str, dict] = {}     # plugin -> {module name: module} of its old version
        self._old_objects: dict[str, object] = {}   # plugin -> its old version's top module
        self._registrations = None                  # _registrations.snapshot() of a reload
        self._before: set = set()                   # sys.modules at begin(), old versions left
        self.started = 0.0
        self.module_objects: dict[str, object] = {}   # plugin -> its new version's top module
        self.unregistered: list[str] = []             # old versions whose unregister() has run

    def begin(self) -> None:
        """Takes what a rollback puts back, takes the old versions out of sys.modules (and
        forgets their classes, so that a forward reference of the new version does not find
        one of the old), and opens the registry journal."""
        if self._replacing:
            for p in self.plugins:
                self._old_modules[p.name] = {m: sys.modules[m] for m in self._manager.loaded_modules(p)
                                             if m in sys.modules}
            self._old_objects = {p.name: self._manager.module_object(p.name) for p in self.plugins}
            self._registrations = _registrations.snapshot()
            for p in self.plugins:
                for m in self._old_modules[p.name]:
                    sys.modules.pop(m, None)
                _registrations.forget({"plugin:" + p.name}, list(self._old_modules[p.name]) + [module_name(p)])
        self._before = set(sys.modules)
        self.started = time.perf_counter()
        _typehost._begin_journal()

    def unregister_old(self, p) -> str:
        """Runs the unregister() of p's old version, if it has one: it lets go (unpublishes,
        disconnects) before the new version registers. Returns what it raised, as a note ("" if
        nothing); the old version goes anyway."""
        unregister = getattr(self._old_objects[p.name], "unregister", None)
        if not callable(unregister):
            return ""
        self.unregistered.append(p.name)
        try:
            self._manager.run_guarded(p, unregister)
        except BaseException as exc:  # noqa: BLE001 - the old version goes anyway
            return f"old version's unregister() raised {type(exc).__name__}: {exc}"
        return ""

    def new_modules(self, p) -> list[str]:
        """p's modules that came into sys.modules since begin()."""
        return sorted(m for m in set(sys.modules) - self._before if owns_module(p, m))

    def seconds(self) -> float:
        """The time since begin()."""
        return time.perf_counter() - self.started

    def commit(self) -> None:
        _typehost._commit_journal()

    def rollback(self) -> list[str]:
        """Puts everything back as it was before begin(), in this order:

        1. the journal: the registry (the same keys with the same generations) and the
           published values; first, as nothing done after this may be journaled;
        2. a plugin that was loading (not replacing) owns nothing, also not a class of it that
           waited for a forward reference and was completed from another thread (not in the
           journal);
        3. sys.modules: the new modules out, the old versions' back;
        4. what @py_class remembers: as it was before a reload, or without the classes of the
           plugins that failed to load (they must not register later under an owner that is
           gone);
        5. the old versions whose unregister() ran register() again, with their types current
           again (what they publish are instances of those types, which a stale check would
           refuse otherwise).

        Returns what each such register() raised ("register() of the old 'x' raised ...")."""
        _typehost._rollback_journal()
        if not self._replacing:
            for p in self.plugins:
                _typehost._remove_owner("plugin:" + p.name)
        gone = {p.name: self.new_modules(p) for p in self.plugins}
        for names in gone.values():
            for name in names:
                sys.modules.pop(name, None)
        for p in self.plugins:
            sys.modules.update(self._old_modules.get(p.name, {}))
        if self._registrations is not None:
            _registrations.restore(self._registrations)
        else:
            _registrations.forget({"plugin:" + p.name for p in self.plugins},
                                  [m for p in self.plugins for m in gone[p.name] + [module_name(p)]])
        errors = []
        for p in self.plugins:
            if p.name not in self.unregistered:
                continue
            register = getattr(self._old_objects[p.name], "register", None)
            if callable(register):
                try:
                    self._manager.run_guarded(p, register)
                except BaseException as exc:  # noqa: BLE001
                    errors.append(f"register() of the old {p.name!r} raised {type(exc).__name__}: {exc} "
                                  "when run again")
        return errors
