"""The plugin manager: discovery, static metadata, dependency order, transactional load,
unload and reload with reports, timeouts, the crash guard and the security check.

Runs on the host's Python thread. A plugin failure is a value (PluginStatus.error and
.traceback), never an exception out of this module. See docs/plugins.md.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import stat
import sys
import time
import traceback
from dataclasses import dataclass, field

import _typehost

from . import _decorator

LOADED, FAILED, DISABLED, SKIPPED, UNLOADED = "loaded", "failed", "disabled", "skipped", "unloaded"


class PluginTimeout(KeyboardInterrupt):
    """Raised inside plugin code that runs longer than the plugin timeout. A KeyboardInterrupt,
    so that `except Exception` in plugin code does not swallow it."""


@dataclass
class PluginStatus:
    name: str
    path: str
    version: str = ""
    description: str = ""
    requires: list = field(default_factory=list)
    native: bool = False
    state: str = UNLOADED
    load_seconds: float = 0.0
    types: list = field(default_factory=list)
    error: str = ""
    traceback: str = ""

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class ReloadReport:
    plugin: str
    ok: bool = False
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)   # [{"key", "fields_added", ...}]
    also_reloaded: list = field(default_factory=list)
    error: str = ""
    traceback: str = ""

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _read_metadata(path: str) -> tuple[dict, str]:
    """The module-level __plugin__ literal, read without running the plugin."""
    source_file = os.path.join(path, "__init__.py") if os.path.isdir(path) else path
    try:
        with open(source_file, "rb") as f:
            tree = ast.parse(f.read(), filename=source_file)
    except SyntaxError as e:
        return {}, f"{e.filename}:{e.lineno}: syntax error: {e.msg}"
    except OSError as e:
        return {}, f"cannot read {source_file}: {e.strerror}"
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__plugin__" for t in targets):
            try:
                meta = ast.literal_eval(node.value)
            except ValueError:
                return {}, f"{source_file}:{node.lineno}: __plugin__ must be a literal dict"
            if not isinstance(meta, dict):
                return {}, f"{source_file}:{node.lineno}: __plugin__ must be a dict"
            return meta, ""
    return {}, ""


def _insecure_path(path: str) -> str | None:
    """The first of path and its directory that other users may write to, if any."""
    for p in (path, os.path.dirname(os.path.abspath(path))):
        try:
            mode = os.stat(p).st_mode
        except OSError:
            continue
        if mode & stat.S_IWOTH and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX and p != path):
            return p
    return None


def _state_dir() -> str:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "typehost")


def _config_file() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "typehost", "plugins.json")


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


class PluginManager:
    def __init__(self, dirs: list[str], *, allow_insecure=False, timeout=10.0, safe_mode=False,
                 crash_guard: str | None = None, config_file: str | None = None):
        self.dirs = list(dirs)
        self.allow_insecure = allow_insecure
        self.timeout = timeout
        self.safe_mode = safe_mode
        self.crash_guard = crash_guard or os.path.join(_state_dir(), "loading.json")
        self.config_file = config_file or _config_file()
        self.plugins: dict[str, PluginStatus] = {}
        self._modules: dict[str, list[str]] = {}     # plugin -> module names it added
        self._module_objects: dict[str, object] = {}  # plugin -> its top module
        self._listeners: list = []

    # ---- discovery ----

    def discover(self) -> list[PluginStatus]:
        found: list[PluginStatus] = []
        names: dict[str, PluginStatus] = {}
        for d in self.dirs:
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
                    meta, problem = _read_metadata(path)
                    status.name = str(meta.get("name", default_name))
                    status.version = str(meta.get("version", ""))
                    status.description = str(meta.get("description", ""))
                    req = meta.get("requires", [])
                    status.requires = [str(r) for r in req] if isinstance(req, (list, tuple)) else []
                    if problem:
                        status.state, status.error = FAILED, problem
                if status.name in names:
                    status.state = SKIPPED
                    status.error = f"shadowed by {names[status.name].path} (same plugin name)"
                    found.append(status)
                    continue
                names[status.name] = status
                found.append(status)
        return found

    # ---- persistence ----

    def _disabled(self) -> set:
        try:
            with open(self.config_file) as f:
                return set(json.load(f).get("disabled", []))
        except (OSError, ValueError, AttributeError):
            return set()

    def _save_disabled(self, disabled: set):
        os.makedirs(os.path.dirname(self.config_file), exist_ok=True)
        with open(self.config_file, "w") as f:
            json.dump({"disabled": sorted(disabled)}, f, indent=2)

    def _crashed_plugin(self) -> str | None:
        try:
            with open(self.crash_guard) as f:
                return json.load(f).get("plugin")
        except (OSError, ValueError, AttributeError):
            return None

    def _guard(self, name: str | None):
        if name is None:
            try:
                os.remove(self.crash_guard)
            except OSError:
                pass
            return
        try:
            os.makedirs(os.path.dirname(self.crash_guard), exist_ok=True)
            with open(self.crash_guard, "w") as f:
                json.dump({"plugin": name, "pid": os.getpid()}, f)
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            pass

    # ---- ordering ----

    def _order(self, candidates: list[PluginStatus]) -> list[PluginStatus]:
        """Dependency order (stable by discovery order); marks missing deps and cycles failed."""
        by_name = {p.name: p for p in candidates}
        order: list[PluginStatus] = []
        visiting: list[str] = []
        done: set = set()

        def visit(p: PluginStatus) -> bool:
            if p.name in done:
                return p.state != FAILED
            if p.name in visiting:
                cycle = visiting[visiting.index(p.name):] + [p.name]
                for n in cycle[:-1]:
                    q = by_name[n]
                    q.state, q.error = FAILED, "dependency cycle: " + " -> ".join(cycle)
                return False
            visiting.append(p.name)
            ok = p.state != FAILED
            for r in p.requires:
                dep = by_name.get(r)
                if dep is None:
                    if ok:
                        p.state, p.error = FAILED, f"requires plugin {r!r}, which is not installed"
                    ok = False
                elif not visit(dep) or dep.state in (FAILED, DISABLED, SKIPPED):
                    if ok and p.state != FAILED:
                        why = "is disabled" if dep.state == DISABLED else (
                            "was skipped" if dep.state == SKIPPED else "failed to load")
                        p.state, p.error = FAILED, f"requires plugin {r!r}, which {why}"
                    ok = False
            visiting.pop()
            done.add(p.name)
            order.append(p)
            return ok and p.state != FAILED

        for p in candidates:
            visit(p)
        return order

    # ---- loading ----

    def load_all(self) -> list[PluginStatus]:
        found = self.discover()
        self.plugins = {}
        for p in found:
            if p.state == SKIPPED and p.name in self.plugins:
                continue
            self.plugins.setdefault(p.name, p)
        crashed = self._crashed_plugin()
        self._guard(None)
        disabled = self._disabled()
        candidates = []
        for p in self.plugins.values():
            if p.state in (FAILED, SKIPPED):
                continue
            if self.safe_mode:
                p.state, p.error = SKIPPED, "safe mode: no plugins are loaded"
            elif p.name == crashed:
                p.state = SKIPPED
                p.error = ("skipped: Typehost stopped while loading this plugin last time; "
                           "fix it and enable it again (or remove " + self.crash_guard + ")")
                disabled.add(p.name)
                self._save_disabled_quietly(disabled)
            elif p.name in disabled:
                p.state, p.error = DISABLED, ""
            candidates.append(p)
        for p in self._order(candidates):
            if p.state == UNLOADED:
                self._load(p)
        self._notify()
        return list(self.plugins.values())

    def _save_disabled_quietly(self, disabled):
        try:
            self._save_disabled(disabled)
        except OSError:
            pass

    def _check_security(self, p: PluginStatus) -> bool:
        if self.allow_insecure:
            return True
        bad = _insecure_path(p.path)
        if bad is None:
            return True
        p.state = FAILED
        p.error = (f"refusing to load plugin {p.name!r}: {bad} is writable by other users; "
                   f"fix it with 'chmod o-w {bad}' or start with --allow-insecure-plugins")
        p.traceback = ""
        return False

    def _module_name(self, p: PluginStatus) -> str:
        base = os.path.basename(p.path)
        return base[:-3] if base.endswith(".py") else base

    def _import(self, p: PluginStatus):
        name = self._module_name(p)
        directory = os.path.dirname(p.path)
        if directory not in sys.path:
            sys.path.append(directory)  # lets a plugin import the plugins it requires
        if os.path.isdir(p.path):
            spec = importlib.util.spec_from_file_location(
                name, os.path.join(p.path, "__init__.py"), submodule_search_locations=[p.path])
        else:
            spec = importlib.util.spec_from_file_location(name, p.path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import plugin {p.name!r} from {p.path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        register = getattr(module, "register", None)
        if callable(register):
            register()
        return module

    def _run_guarded(self, p: PluginStatus, fn):
        """Runs fn with ownership, the timeout and the crash guard set."""
        previous = _decorator._current_plugin
        _decorator._current_plugin = p.name
        self._guard(p.name)
        if self.timeout > 0:
            _typehost._arm_watchdog(self.timeout, PluginTimeout,
                                    f"plugin {p.name!r} ran longer than {self.timeout:g} s and was interrupted")
        try:
            return fn()
        finally:
            if self.timeout > 0:
                _typehost._disarm_watchdog()
            _decorator._current_plugin = previous
            self._guard(None)

    def _fail(self, p: PluginStatus, exc: BaseException):
        p.state = FAILED
        if isinstance(exc, PluginTimeout):
            p.error = str(exc)
        else:
            p.error = f"{type(exc).__name__}: {exc}"
        p.traceback = "".join(traceback.format_exception(exc))

    def _load(self, p: PluginStatus) -> bool:
        p.error = p.traceback = ""
        if not self._check_security(p):
            return False
        owner = "plugin:" + p.name
        before = set(sys.modules)
        started = time.perf_counter()
        _typehost._begin_journal()
        try:
            if p.native:
                result = self._run_guarded(p, lambda: _typehost._load_native(p.path, owner))
                if not result["ok"]:
                    raise ImportError(result["error"])
                p.version = result.get("version", "")
                p.description = result.get("description", "")
                module = None
            else:
                module = self._run_guarded(p, lambda: self._import(p))
        except BaseException as exc:  # noqa: BLE001 - every plugin failure becomes its status
            _typehost._rollback_journal()
            for name in set(sys.modules) - before:
                sys.modules.pop(name, None)
            self._fail(p, exc)
            p.load_seconds = time.perf_counter() - started
            return False
        _typehost._commit_journal()
        p.load_seconds = time.perf_counter() - started
        self._modules[p.name] = sorted(set(sys.modules) - before)
        self._module_objects[p.name] = module
        p.state = LOADED
        p.types = _typehost._owned_keys(owner)
        return True

    # ---- unloading ----

    def _dependents(self, name: str) -> list[str]:
        out: list[str] = []
        for p in self.plugins.values():
            if name in p.requires and p.state == LOADED and p.name not in out:
                for d in self._dependents(p.name):
                    if d not in out:
                        out.append(d)
                out.append(p.name)
        return out

    def _unload_one(self, p: PluginStatus):
        module = self._module_objects.pop(p.name, None)
        unregister = getattr(module, "unregister", None) if module is not None else None
        if callable(unregister):
            try:
                self._run_guarded(p, unregister)
            except BaseException as exc:  # noqa: BLE001
                p.error = f"unregister() raised {type(exc).__name__}: {exc} (the plugin was unloaded anyway)"
                p.traceback = "".join(traceback.format_exception(exc))
        _typehost._remove_owner("plugin:" + p.name)
        for name in self._modules.pop(p.name, []):
            sys.modules.pop(name, None)
        p.types = []
        p.state = UNLOADED

    def unload(self, name: str) -> list[str]:
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        if p.state != LOADED:
            return []
        order = self._dependents(name) + [name]
        for n in order:
            self._unload_one(self.plugins[n])
        for n in order[:-1]:
            self.plugins[n].error = f"unloaded because it requires {name!r}, which was unloaded"
        self._notify()
        return order

    # ---- reload ----

    def _type_snapshot(self, keys):
        snap = {}
        for k in keys:
            try:
                info = _typehost._type_info(k)
            except (KeyError, TypeError):
                continue
            snap[k] = {f["name"]: (f["schema"], repr(f["default"]) if f["has_default"] else
                                   ("<factory>" if f["has_factory"] else None)) for f in info["fields"]}
        return snap

    def reload(self, name: str) -> ReloadReport:
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        report = ReloadReport(plugin=name)
        if p.state in (DISABLED, SKIPPED):
            report.error = f"plugin {name!r} is {p.state}"
            return report
        if p.state != LOADED:  # a failed or unloaded plugin: reload is a fresh load
            meta, problem = (({}, "") if p.native else _read_metadata(p.path))
            if problem:
                p.state, p.error, p.traceback = FAILED, problem, ""
            else:
                p.version = str(meta.get("version", p.version))
                self._load(p)
            report.ok = p.state == LOADED
            report.added = list(p.types)
            report.error, report.traceback = p.error, p.traceback
            self._notify()
            return report
        owner = "plugin:" + name
        dependents = self._dependents(name)
        chain = [name] + dependents
        old_keys = {n: _typehost._owned_keys("plugin:" + n) for n in chain}
        before_types = self._type_snapshot(old_keys[name])
        saved_modules = {n: {m: sys.modules.get(m) for m in self._modules.get(n, [])} for n in chain}
        saved_objects = {n: self._module_objects.get(n) for n in chain}
        for n in chain:
            for m in saved_modules[n]:
                sys.modules.pop(m, None)
        before = set(sys.modules)
        started = time.perf_counter()
        _typehost._begin_journal()
        new_modules: dict[str, object] = {}
        failed: tuple[str, BaseException] | None = None
        for n in chain:
            q = self.plugins[n]
            meta, problem = (({}, "") if q.native else _read_metadata(q.path))
            if problem:
                failed = (n, SyntaxError(problem))
                break
            generations = {k: _typehost._type_info(k)["generation"] for k in old_keys[n]}
            try:
                if q.native:
                    raise ImportError("native plugins cannot be reloaded in a running host")
                mods_before = set(sys.modules)
                new_modules[n] = self._run_guarded(q, lambda q=q: self._import(q))
                self._modules[n + "#new"] = sorted(set(sys.modules) - mods_before)
            except BaseException as exc:  # noqa: BLE001
                failed = (n, exc)
                break
            # Types of the old version that the new one did not define again go away.
            gone = [k for k in old_keys[n] if _typehost._type_info(k)["generation"] == generations[k]]
            if gone:
                _typehost._remove(gone, "plugin:" + n)
        if failed is not None:
            _typehost._rollback_journal()
            for m in set(sys.modules) - before:
                sys.modules.pop(m, None)
            for n in chain:
                sys.modules.update({m: mod for m, mod in saved_modules[n].items() if mod is not None})
                self._modules.pop(n + "#new", None)
            who, exc = failed
            if isinstance(exc, SyntaxError) and not exc.filename:
                report.error = str(exc)
            elif isinstance(exc, PluginTimeout):
                report.error = str(exc)
            else:
                report.error = f"{type(exc).__name__}: {exc}"
                report.traceback = "".join(traceback.format_exception(exc))
            if who != name:
                report.error = f"dependent plugin {who!r} failed: {report.error}"
            p.error = f"reload failed, the previous version stays active: {report.error}"
            p.traceback = report.traceback
            self._notify()
            return report
        _typehost._commit_journal()
        for n in chain:
            q = self.plugins[n]
            old_module = saved_objects.get(n)
            unregister = getattr(old_module, "unregister", None)
            if callable(unregister):
                try:
                    unregister()
                except BaseException as exc:  # noqa: BLE001
                    q.error = f"old version's unregister() raised {type(exc).__name__}: {exc}"
            self._modules[n] = self._modules.pop(n + "#new", [])
            self._module_objects[n] = new_modules[n]
            q.state = LOADED
            q.types = _typehost._owned_keys("plugin:" + n)
            if q.error.startswith(("reload failed", "unloaded because")):
                q.error, q.traceback = "", ""
        p.load_seconds = time.perf_counter() - started
        meta, _ = _read_metadata(p.path) if not p.native else ({}, "")
        if meta:
            p.version = str(meta.get("version", p.version))
        after_keys = _typehost._owned_keys(owner)
        after_types = self._type_snapshot(after_keys)
        report.ok = True
        report.also_reloaded = dependents
        report.added = sorted(k for k in after_keys if k not in before_types)
        report.removed = sorted(k for k in before_types if k not in after_types)
        for k in sorted(set(before_types) & set(after_types)):
            old, new = before_types[k], after_types[k]
            change = {
                "key": k,
                "fields_added": [f for f in new if f not in old],
                "fields_removed": [f for f in old if f not in new],
                "fields_retyped": [f for f in new if f in old and new[f][0] != old[f][0]],
                "defaults_changed": [f for f in new if f in old and new[f][1] != old[f][1]],
            }
            if any(change[c] for c in change if c != "key"):
                report.changed.append(change)
        self._notify()
        return report

    def reload_all(self) -> list[ReloadReport]:
        reports = []
        done: set = set()
        for p in list(self.plugins.values()):
            if p.name in done or p.state not in (LOADED, FAILED):
                continue
            r = self.reload(p.name)
            reports.append(r)
            done.add(p.name)
            done.update(r.also_reloaded)
        return reports

    # ---- enable / disable ----

    def disable(self, name: str) -> list[str]:
        if name not in self.plugins:
            raise KeyError(f"no plugin named {name!r}")
        unloaded = self.unload(name) if self.plugins[name].state == LOADED else []
        disabled = self._disabled()
        disabled.add(name)
        self._save_disabled(disabled)
        self.plugins[name].state = DISABLED
        self._notify()
        return unloaded

    def enable(self, name: str) -> PluginStatus:
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        disabled = self._disabled()
        disabled.discard(name)
        self._save_disabled(disabled)
        if p.state in (DISABLED, SKIPPED, UNLOADED, FAILED):
            p.state = UNLOADED
            p.error = p.traceback = ""
            missing = [r for r in p.requires if self.plugins.get(r) is None or self.plugins[r].state != LOADED]
            if missing:
                p.state = FAILED
                p.error = f"requires plugin {missing[0]!r}, which is not loaded"
            else:
                self._load(p)
        self._notify()
        return p

    # ---- listeners ----

    def subscribe(self, fn):
        self._listeners.append(fn)

    def _notify(self):
        for fn in list(self._listeners):
            try:
                fn()
            except Exception:  # noqa: BLE001 - a broken listener must not break the manager
                traceback.print_exc()


_manager: PluginManager | None = None


def manager() -> PluginManager | None:
    return _manager


def start(dirs: list[str], **options) -> PluginManager:
    """Creates the process-wide manager (replacing an earlier one) and loads all plugins."""
    global _manager
    _manager = PluginManager(dirs, **options)
    _manager.load_all()
    return _manager


def plugins() -> list[PluginStatus]:
    """Status of every plugin the host knows: name, version, path, state, load time, types,
    error and traceback."""
    return list(_manager.plugins.values()) if _manager is not None else []
