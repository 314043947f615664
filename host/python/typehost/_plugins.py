"""The plugin manager: discovery, static metadata, dependency order, transactional load,
unload and reload with reports, timeouts, the crash guard and the security check.

Runs on the host's Python thread. A plugin failure is a value (PluginStatus.error and
.traceback), never an exception out of this module. See docs/plugins.md.
"""

from __future__ import annotations

import ast
import builtins
import importlib.machinery
import importlib.util
import json
import math
import os
import re
import stat
import sys
import threading
import time
from typing import Callable
from dataclasses import dataclass, field

import _typehost

from . import _bytecode
from ._registration import set_owner_hook, state as _registrations

LOADED, FAILED, DISABLED, SKIPPED, UNLOADED = "loaded", "failed", "disabled", "skipped", "unloaded"

# The longest a plugin's import, register() or unregister() may run (one day): a larger timeout,
# inf included, counts as this. The same as typehost::kMaxPluginTimeoutSeconds, by which
# _call_with_timeout clamps too (_typehost._max_timeout(); a test checks they agree).
MAX_TIMEOUT = 86400.0


def _checked_timeout(timeout) -> float:
    """The plugin timeout in seconds: 0 for none, at most MAX_TIMEOUT; nan and negative
    numbers are refused."""
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise ValueError(f"the plugin timeout must be a number of seconds, got {timeout!r}") from None
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"the plugin timeout must be 0 (none) or a positive number of seconds, got {timeout!r}")
    return min(seconds, MAX_TIMEOUT)


# ---- ownership context ----
#
# Per thread: the plugin whose code (import, register(), unregister()) the manager runs on this
# thread. Types decorated and values published on that thread belong to that plugin, and the
# load's journal records that thread's changes only. A thread the plugin starts has an empty
# context, as does every thread while no plugin code runs on it: its types belong to their
# module ("module:<module>"), its values to nobody, and a rollback leaves them alone.
_context = threading.local()
_running: list[str] = []   # plugins whose code runs now, on any thread, innermost last


def current_plugin() -> str | None:
    """The plugin whose code the manager runs on the calling thread, or None."""
    return getattr(_context, "plugin", None)


def _owner_for(cls: type) -> str | None:
    """@py_class's owner hook: the owner of a class decorated now on the calling thread, or None
    while no plugin code runs on it (then the class belongs to its module, or to the plugin set
    by hand in _registration.state.current_plugin). Ownership follows the file: a class of a plugin's
    module or submodule belongs to that plugin whichever plugin's code decorates it; a class of
    any other module (a helper, a module made on the fly) to the plugin whose code runs."""
    plugin = current_plugin()
    if plugin is None:
        return None
    manager = getattr(_context, "manager", None)
    defining = manager._plugin_defining(str(cls.__module__)) if manager is not None else None
    return "plugin:" + (defining or plugin)


# @py_class asks the owner hook for the owner of each class; the per-thread context lives here
# (the manager never sets the process-wide _registration.state.current_plugin).
set_owner_hook(_owner_for)


def _refuse_from_plugin_code(what: str) -> None:
    """The manager is not re-entrant: plugin code (and threads it starts) may not load,
    unload, reload, enable or disable plugins while plugin code runs. Doing it from register()
    would unload a plugin whose status the load's rollback cannot restore, or a requirement
    of the plugin being loaded."""
    if _running:
        raise RuntimeError(f"cannot {what} while the code of plugin {_running[-1]!r} runs: plugin "
                           "code cannot load, unload, reload, enable or disable plugins")


# ---- plugin module names and imports of them ----
#
# A plugin is imported under its module name (garden.py: "garden"), so that name must be free:
# not a standard-library module, not a module importable from outside the plugin directories,
# not another discovered plugin's module (PluginManager._module_name_problem). And the name is
# importable only while the plugin is loaded, which puts its module into sys.modules:
#
# - _FINDER, first on sys.meta_path, answers for the module name of every discovered plugin
#   that is not in sys.modules (not loaded, failed, disabled, ...) with an ImportError saying
#   why, instead of letting the path finder import the plugin's file as a plain module (whose
#   types would belong to the importer, and which would take the plugin's name);
# - while plugin code runs, builtins.__import__ is _guarded_import, which refuses an import of
#   another plugin's module that the running plugin does not require, also when that module is
#   imported already (the import statement finds it in sys.modules without asking a finder).

_plugin_paths: set = set()   # real paths of the directories managers appended to sys.path


_real_paths: dict | None = None   # realpath results, kept only while load_all runs


def _real(entry: str) -> str:
    entry = entry or os.curdir   # "" on sys.path is the current directory
    if _real_paths is None:
        return os.path.realpath(entry)
    real = _real_paths.get(entry)
    if real is None:
        real = _real_paths[entry] = os.path.realpath(entry)
    return real


def _importing_manager():
    """The manager whose plugins an import on this thread is about: the one running plugin code
    on this thread, else the process-wide one."""
    m = getattr(_context, "manager", None)
    return m if m is not None else _manager


class _PluginModuleFinder:
    """A sys.meta_path finder that finds nothing: it refuses the module name of a discovered
    plugin whose module is not in sys.modules."""

    def find_spec(self, fullname, path=None, target=None):
        if path is not None:   # a submodule: its package was imported first
            package = sys.modules.get(fullname.rpartition(".")[0])
            if isinstance(getattr(package, "__loader__", None), _bytecode.CachedSourceLoader):
                # a plugin package's submodule: found as the path finder finds it, its code cached
                return _bytecode.cached_spec(importlib.machinery.PathFinder.find_spec(fullname, path))
            return None
        m = _importing_manager()
        q = m._plugin_for_module(fullname) if m is not None else None
        if q is not None:
            raise ImportError(m._import_refusal(q, fullname), name=fullname)
        if getattr(_context, "plugin", None) is not None and _plugin_paths:
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
        if os.path.dirname(_real(home)) not in _plugin_paths:
            return None
        return _bytecode.cached_spec(spec)

    def __repr__(self):
        return "<typehost plugin module finder>"


_FINDER = _PluginModuleFinder()


def _install_finder() -> None:
    if not any(f is _FINDER for f in sys.meta_path):
        sys.meta_path.insert(0, _FINDER)


_real_import = builtins.__import__   # the import statement's function, as it was at start
_import_guards = 0                   # how many plugin calls run with _guarded_import


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and getattr(_context, "plugin", None) is not None:
        m = getattr(_context, "manager", None)
        if m is not None:
            m._check_import(name.partition(".")[0])
    return _real_import(name, globals, locals, fromlist, level)


_real_import_module = importlib.import_module   # importlib.import_module as it was at start


def _guarded_import_module(name, package=None):
    # importlib.import_module returns a module already in sys.modules without the import
    # statement's function: the same check for plugin code that calls it as
    # importlib.import_module(...) (a reference taken before the plugin ran is not covered).
    if not name.startswith(".") and getattr(_context, "plugin", None) is not None:
        m = getattr(_context, "manager", None)
        if m is not None:
            m._check_import(name.partition(".")[0])
    return _real_import_module(name, package)


def _guard_imports() -> None:
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


def _unguard_imports() -> None:
    global _import_guards
    _import_guards -= 1
    if _import_guards == 0:
        if builtins.__import__ is _guarded_import:
            builtins.__import__ = _real_import
        if importlib.import_module is _guarded_import_module:
            importlib.import_module = _real_import_module


def _found_outside(name: str, excluded: set) -> str | None:
    """Where module name would be imported from if no directory in excluded (real paths) were
    on sys.path: a file, a package or namespace directory, or "built-in"/"frozen"; None when
    nothing outside them has that name."""
    path = [e for e in sys.path if not (isinstance(e, str) and _real(e) in excluded)]
    standard = [importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter,
                importlib.machinery.PathFinder]
    # The standard finders first: another finder may act on being asked (setuptools' shim does
    # for "pip").
    for finder in [f for f in standard if f in sys.meta_path] + [f for f in sys.meta_path if f not in standard]:
        if finder is _FINDER:
            continue
        try:
            if finder is importlib.machinery.PathFinder:
                spec = finder.find_spec(name, path)
            else:
                find = getattr(finder, "find_spec", None)
                spec = find(name, None) if callable(find) else None
        except Exception:  # noqa: BLE001 - a broken finder does not decide
            continue
        if spec is None:
            continue
        file = spec.origin if spec.has_location and spec.origin else None
        if spec.submodule_search_locations is not None:
            places = list(spec.submodule_search_locations)   # a package or namespace directory
        elif file is not None:
            places = [file]
        else:
            return str(spec.origin or "a finder on sys.meta_path")   # built-in, frozen
        outside = [place for place in places if os.path.dirname(_real(place)) not in excluded]
        if outside:
            return file or outside[0]
    return None


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
    # A loaded plugin's problems at the end of its load (and of every load, reload or unload
    # since): a class still waiting for a name, a dotted reference no type is registered under.
    # One line each, "FILE:LINE: KEY.FIELD: problem". The state stays "loaded".
    warnings: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _make_reload_report_class():
    # Made on first use (module __getattr__ below): a dataclass costs code generation at
    # start-up, and only a reload makes reports.
    @dataclass
    class ReloadReport:
        plugin: str
        ok: bool = False
        added: list = field(default_factory=list)
        removed: list = field(default_factory=list)
        changed: list = field(default_factory=list)   # [{"key", "fields_added", ...}]
        also_reloaded: list = field(default_factory=list)
        # Published values that reached instances of the reloaded types: [{"name", "migrated",
        # "objects", "issues": [(JSON pointer, reason)]}], migrated with the reload or left stale.
        values: list = field(default_factory=list)
        error: str = ""
        traceback: str = ""

        def as_dict(self) -> dict:
            return {k: getattr(self, k) for k in self.__dataclass_fields__}

    ReloadReport.__qualname__ = "ReloadReport"
    ReloadReport.__module__ = __name__
    return ReloadReport


_ReloadReport = None


def _reload_report(**kwargs):
    global _ReloadReport
    if _ReloadReport is None:
        _ReloadReport = _make_reload_report_class()
    return _ReloadReport(**kwargs)


def __getattr__(name):
    if name == "ReloadReport":
        return type(_reload_report(plugin=""))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The error of a plugin the crash guard skipped (the start of it; the rest names the guard file).
CRASH_GUARD_SKIP = "skipped: Typehost stopped while loading this plugin last time"


# ---- problems: what `typehost-headless check` and --strict report ----
#
# A problem is a dict {"plugin", "file", "line", "key", "field", "problem"} (line, key and field
# None where they do not apply): a plugin that failed, one the crash guard skipped, and for a
# loaded plugin a class of it still waiting for a name and a dotted reference of its types that
# no registered type answers.

_ast_cache: dict = {}   # file -> ((mtime_ns, size), tree or None)


def _parsed(file: str):
    try:
        st = os.stat(file)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _ast_cache.get(file)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(file, "rb") as f:
            tree = ast.parse(f.read(), filename=file)
    except (OSError, SyntaxError, ValueError):
        tree = None
    _ast_cache[file] = (stamp, tree)
    return tree


def _field_line(file: str, line: int, class_name: str, field_name: str | None) -> int:
    """The line of field_name's annotation in the class statement of class_name that line (its
    decorator's or class line) is in; line itself when the source does not tell."""
    tree = _parsed(file) if file and line else None
    if tree is None or not field_name:
        return line
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            if first <= line <= (node.end_lineno or node.lineno):
                best = node
                break
            if best is None:
                best = node
    if best is None:
        return line
    for stmt in best.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == field_name:
            return stmt.lineno
    return line


def _tree_keys(tree):
    """The type keys a schema tree (_typehost._schema_tree) names."""
    if isinstance(tree, (tuple, list)):
        if len(tree) == 2 and tree[0] == "named" and isinstance(tree[1], str):
            yield tree[1]
            return
        for item in tree:
            yield from _tree_keys(item)


def _problem(plugin, file, line, key, field_name, text) -> dict:
    return {"plugin": plugin, "file": file or "", "line": line or None, "key": key,
            "field": field_name or None, "problem": text}


def format_problem(d: dict, with_plugin: bool = True) -> str:
    """One line for a problem: "plugin 'robot' (/p/robot.py:12): robot.Joint.torque: name
    'flaot' is not defined" (without the plugin part: "/p/robot.py:12: robot.Joint.torque:
    ...", the form of PluginStatus.warnings)."""
    where = d["file"] + (f":{d['line']}" if d["line"] else "")
    what = (d["key"] or "") + (f".{d['field']}" if d["key"] and d["field"] else "")
    text = " ".join(part.strip() for part in str(d["problem"]).strip().splitlines()) or "(no message)"
    body = f"{what}: {text}" if what else text
    if not with_plugin:
        return f"{where}: {body}" if where else body
    return f"plugin {d['plugin']!r}" + (f" ({where})" if where else "") + f": {body}"


_TRACEBACK_LINE = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.M)


def _failure_place(p: PluginStatus) -> tuple[str, int | None]:
    """Where a failed plugin failed: the last frame in its own file(s) in the traceback, a
    "FILE:LINE:" its error starts with, else the plugin's path."""
    inside = p.path if os.path.isdir(p.path) else None
    frames = [(f, int(n)) for f, n in _TRACEBACK_LINE.findall(p.traceback or "")]
    mine = [fr for fr in frames if fr[0] == p.path or (inside and fr[0].startswith(inside + os.sep))]
    if mine:
        return mine[-1]
    m = re.match(r"^(/[^:]+):(\d+):", p.error or "")
    if m:
        return m.group(1), int(m.group(2))
    return p.path, None


def _pending_problems(name: str) -> list[dict]:
    """The classes of plugin name still waiting for a name."""
    out = []
    for job in _registrations.pending_of("plugin:" + name):
        cls = job["cls"]
        file, line = job.get("where") or ("", 0)
        field_name = job.get("missing_field")
        field_name = None if field_name in (None, "?") else field_name
        missing = job.get("missing", "")
        if job.get("error"):
            text = f"cannot be registered: {job['error']}"
        elif field_name is None:
            text = f"its parent class {missing!r} is not registered (it waits too, or failed)"
        elif "." in missing:
            text = f"no registered type {missing!r}"
        else:
            text = f"name {missing!r} is not defined"
        out.append(_problem(name, file, _field_line(file, line, cls.__name__, field_name),
                            job["key"], field_name, text))
    return out


def _unresolved_problems(name: str, keys) -> list[dict]:
    """The references of plugin name's types (keys) to type keys nobody registered."""
    out = []
    for key in keys:
        try:
            missing = _typehost._unresolved(key)
        except Exception:  # noqa: BLE001 - a type removed meanwhile
            continue
        if not missing:
            continue
        try:
            info = _typehost._type_info(key)
        except (KeyError, TypeError):
            continue
        file, line = info.get("file") or "", info.get("line") or 0
        class_name = key.rpartition(".")[2]
        left = list(missing)
        if info.get("parent") in left:
            left.remove(info["parent"])
            out.append(_problem(name, file, line, key, None, f"parent type {info['parent']!r} is not registered"))
        for f in info["fields"]:
            if f.get("defined_in") not in (None, "", key):
                continue   # the parent's field: reported for the parent
            try:
                named = list(dict.fromkeys(_tree_keys(_typehost._schema_tree(f["schema"]))))
            except ValueError:
                continue
            for ref in named:
                if ref in left:
                    out.append(_problem(name, file, _field_line(file, line, class_name, f["name"]), key, f["name"],
                                        f"no registered type {ref!r}"))
        reported = {d["problem"] for d in out if d["key"] == key}
        for ref in left:   # named by an inherited field only, or nowhere the fields tell
            if not any(repr(ref) in text for text in reported):
                out.append(_problem(name, file, line, key, None, f"no registered type {ref!r}"))
    return out


def _read_metadata(path: str) -> tuple[dict, str, str]:
    """The module-level __plugin__ literal, read without running the plugin: (metadata,
    problem, traceback), where a problem is one line naming the file and line."""
    source_file = os.path.join(path, "__init__.py") if os.path.isdir(path) else path
    try:
        with open(source_file, "rb") as f:
            source = f.read()
    except OSError as e:
        return {}, f"cannot read {source_file}: {e.strerror}", ""
    hit, found = _bytecode.cached_metadata(source_file, source)
    if hit:
        return found
    found = _parse_metadata(source_file, source)
    _bytecode.store_metadata(source_file, source, found)
    return found


def _parse_metadata(source_file: str, source: bytes) -> tuple[dict, str, str]:
    try:
        tree = ast.parse(source, filename=source_file)
    except SyntaxError as e:
        import traceback   # error paths only: traceback costs ~2 ms at start-up
        return {}, f"{e.filename}:{e.lineno}: syntax error: {e.msg}", "".join(traceback.format_exception_only(e))
    except ValueError as e:  # NUL bytes in the source
        return {}, f"{source_file}: cannot parse: {e}", ""
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__plugin__" for t in targets):
            try:
                meta = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return {}, f"{source_file}:{node.lineno}: __plugin__ must be a literal dict", ""
            if not isinstance(meta, dict):
                return {}, f"{source_file}:{node.lineno}: __plugin__ must be a dict", ""
            return meta, "", ""
    return {}, "", ""


def _apply_metadata(status: PluginStatus, meta: dict) -> None:
    """Version, description and requires from a __plugin__ dict (the name is set once)."""
    status.version = str(meta.get("version", ""))
    status.description = str(meta.get("description", ""))
    req = meta.get("requires", [])
    status.requires = [str(r) for r in req] if isinstance(req, (list, tuple)) else []


def _link_chain(path: str) -> list[str]:
    """path, then every name it resolves through as a symbolic link, ending at its real path.
    Whoever may write to the directory that holds one of them can change what path loads."""
    current = os.path.abspath(path)
    chain = [current]
    for _ in range(40):   # the kernel's limit of links in one lookup
        if not os.path.islink(current):
            break
        try:
            target = os.readlink(current)
        except OSError:
            break
        # Relative to the link's real directory, so that ".." in the target means what it does
        # to the kernel.
        current = os.path.normpath(os.path.join(os.path.realpath(os.path.dirname(current)), target))
        chain.append(current)
    real = os.path.realpath(path)
    if real != chain[-1]:
        chain.append(real)   # a directory on the way was a link
    return chain


def _package_entries(path: str) -> list[str]:
    """Everything inside the package directory path, depth first in sorted order, following
    linked directories as an import does (each real directory once)."""
    entries: list[str] = []
    seen: set = set()

    def walk(directory: str):
        real = os.path.realpath(directory)
        if real in seen:
            return
        seen.add(real)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            return
        for name in names:
            entry = os.path.join(directory, name)
            entries.append(entry)
            if os.path.isdir(entry):
                walk(entry)

    walk(path)
    return entries


def _writable_by_others(path: str, *, sticky_ok: bool) -> bool:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return bool(mode & stat.S_IWOTH) and not (sticky_ok and stat.S_ISDIR(mode) and mode & stat.S_ISVTX)


def _insecure_path(path: str) -> tuple[str, str] | None:
    """(the path other users may write to, a note saying how it matters) for the first such
    path among the plugin file or directory, the directory holding it, and everything inside
    a package. A symbolic link is checked as what it points to: the target, and the directory
    holding each link on the way and the target. A world-writable directory with the sticky
    bit (like /tmp) is fine as the holder of a plugin or of a link's target, not inside a
    package."""
    def check(entry: str, inside: bool):
        chain = _link_chain(entry)
        real = chain[-1]
        if len(chain) == 1:
            note = ""
        elif os.path.islink(entry):
            note = f"{entry} is a symbolic link to {real}"
        else:
            note = f"{entry} is {real} through a linked directory"
        if _writable_by_others(entry, sticky_ok=False):
            return (real, note) if note else (entry, "")
        # The directory holding the entry itself: inside a package it is checked as an entry.
        for i, name in enumerate(chain):
            if inside and i == 0:
                continue
            holder = os.path.dirname(name)
            if _writable_by_others(holder, sticky_ok=True):
                return holder, (note if i > 0 else "")
        return None

    entry = os.path.abspath(path)
    found = check(entry, inside=False)
    if found is None and os.path.isdir(entry):
        for inner in _package_entries(entry):
            found = check(inner, inside=True)
            if found is not None:
                break
    return found


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


_HOST_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _is_host_frame(filename: str) -> bool:
    """A frame of the typehost package (the plugin manager) or of importlib's bootstrap."""
    return filename.startswith(_HOST_DIR) or filename.startswith("<frozen importlib")


class PluginManager:
    def __init__(self, dirs: list[str], *, allow_insecure=False, timeout=10.0, safe_mode=False,
                 crash_guard: str | None = None, config_file: str | None = None):
        self.dirs = list(dirs)
        self.allow_insecure = allow_insecure
        self.timeout = _checked_timeout(timeout)
        self.safe_mode = safe_mode
        self.crash_guard = crash_guard or os.path.join(_state_dir(), "loading.json")
        self.config_file = config_file or _config_file()
        self.plugins: dict[str, PluginStatus] = {}
        self._modules: dict[str, list[str]] = {}     # plugin -> module names it added
        self._module_objects: dict[str, object] = {}  # plugin -> its top module
        # module name -> the discovered Python plugin that is imported under it (the first, for
        # plugins that share one); not plugins whose module name is a module from elsewhere.
        self._module_plugins: dict[str, str] = {}
        self._listeners: list = []
        _install_finder()

    # ---- discovery ----

    def discover(self) -> list[PluginStatus]:
        return self._discover()[0]

    def _discover(self) -> tuple[list[PluginStatus], dict[str, str]]:
        """The plugins in the plugin directories, and which plugin each module name is."""
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
                    meta, problem, detail = _read_metadata(path)
                    status.name = str(meta.get("name", default_name))
                    _apply_metadata(status, meta)
                    if problem:
                        status.state, status.error, status.traceback = FAILED, problem, detail
                if status.name in names:
                    status.state = SKIPPED
                    status.error = f"shadowed by {names[status.name].path} (same plugin name)"
                    found.append(status)
                    continue
                names[status.name] = status
                found.append(status)
        return found, self._check_module_names([s for s in found if s.state != SKIPPED])

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
            # No fsync: the guard is for a crash of this process, after which the kernel still
            # writes what write() gave it; only an OS crash loses it (a plugin is then not
            # skipped once, which is no harm), and an fsync per plugin cost start-up time.
            with open(self.crash_guard, "w") as f:
                json.dump({"plugin": name, "pid": os.getpid()}, f)
        except OSError:
            pass

    # ---- ordering ----

    def _order(self, candidates: list[PluginStatus]) -> list[PluginStatus]:
        """Dependency order (stable by discovery order); marks missing deps and cycles failed."""
        by_name = dict(self.plugins)   # with those failed at discovery: "failed", not "not installed"
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
        global _real_paths
        _refuse_from_plugin_code("load plugins")
        # One pass resolves the same directories many times (each plugin's module-name check
        # walks sys.path): resolved once per pass (os.path.realpath is an lstat per component).
        outer, _real_paths = _real_paths, {} if _real_paths is None else _real_paths
        try:
            return self._load_all()
        finally:
            _real_paths = outer

    def _load_all(self) -> list[PluginStatus]:
        self.unload_all()   # a second load_all starts from a clean slate
        found, module_plugins = self._discover()
        self.plugins = {}
        for p in found:
            if p.state == SKIPPED and p.name in self.plugins:
                continue
            self.plugins.setdefault(p.name, p)
        self._module_plugins = module_plugins
        # Safe mode leaves the crash guard for the next normal start to act on.
        crashed = None if self.safe_mode else self._crashed_plugin()
        if not self.safe_mode:
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
                p.error = (CRASH_GUARD_SKIP + f"; fix it, then enable it again: typehost-headless enable {p.name} "
                           "(or Enable in the window's Plugins dock, or typehost.plugins.enable("
                           f"{p.name!r}))")
                disabled.add(p.name)
                self._save_disabled_quietly(disabled)
            elif p.name in disabled:
                p.state, p.error = DISABLED, ""
            candidates.append(p)
        for p in [] if self.safe_mode else self._order(candidates):
            if p.state != UNLOADED:
                continue
            # _order checked what was known before loading; a requirement may have failed since.
            missing = self._missing_requirement(p)
            if missing:
                p.state, p.error = FAILED, f"requires plugin {missing!r}, which failed to load"
                continue
            self._load(p)
        self._refresh_warnings()   # a plugin loaded later may have answered an earlier one's reference
        self._notify()
        return list(self.plugins.values())

    # ---- problems (check, --strict) ----

    def _warning_problems(self, p: PluginStatus) -> list[dict]:
        """A loaded plugin's classes still waiting for a name and unresolved references of its
        types, as problems."""
        return _pending_problems(p.name) + _unresolved_problems(p.name, p.types)

    def _refresh_warnings(self, only: PluginStatus | None = None) -> None:
        """Sets PluginStatus.warnings of every loaded plugin (or of only) from the registry
        now; a plugin that is not loaded has none."""
        for q in [only] if only is not None else self.plugins.values():
            q.warnings = ([format_problem(d, with_plugin=False) for d in self._warning_problems(q)]
                          if q.state == LOADED else [])

    def problems(self) -> list[dict]:
        """What `typehost-headless check` and --strict report, in plugin order: every plugin
        that failed, every plugin the crash guard skipped, and each loaded plugin's warnings
        (refreshed now). A disabled plugin, one skipped in safe mode or shadowed by another of
        the same name is not a problem."""
        out: list[dict] = []
        for p in self.plugins.values():
            if p.state == FAILED:
                file, line = _failure_place(p)
                out.append(_problem(p.name, file, line, None, None, p.error or "failed to load"))
            elif p.state == SKIPPED and p.error.startswith(CRASH_GUARD_SKIP):
                out.append(_problem(p.name, p.path, None, None, None,
                                    "skipped by the crash guard: Typehost stopped while loading it last time"))
            elif p.state == LOADED:
                found = self._warning_problems(p)
                p.warnings = [format_problem(d, with_plugin=False) for d in found]
                out.extend(found)
        return out

    def _missing_requirement(self, p: PluginStatus) -> str | None:
        """The first plugin p requires that is not loaded."""
        for r in p.requires:
            q = self.plugins.get(r)
            if q is None or q.state != LOADED:
                return r
        return None

    def _save_disabled_quietly(self, disabled):
        try:
            self._save_disabled(disabled)
        except OSError:
            pass

    def _check_module_name(self, p: PluginStatus) -> bool:
        """Fails p if its module name is not free (again: a fresh load after discovery)."""
        problem = self._module_name_problem(p, self.plugins.values())
        name = self._module_name(p)
        if problem is None or problem[0] == "shared":
            self._module_plugins.setdefault(name, p.name)
        elif self._module_plugins.get(name) == p.name:
            del self._module_plugins[name]
        if problem is None:
            return True
        p.state, p.error, p.traceback = FAILED, problem[1], ""
        return False

    def _check_security(self, p: PluginStatus) -> bool:
        if self.allow_insecure:
            return True
        found = _insecure_path(p.path)
        if found is None:
            return True
        bad, note = found
        p.state = FAILED
        p.error = (f"refusing to load plugin {p.name!r}: {bad} is writable by other users"
                   f"{f' ({note})' if note else ''}; "
                   f"fix it with 'chmod o-w {bad}' or start with --allow-insecure-plugins")
        p.traceback = ""
        return False

    def _module_name(self, p: PluginStatus) -> str:
        base = os.path.basename(p.path)
        return base[:-3] if base.endswith(".py") else base

    def _module_name_problem(self, p: PluginStatus, discovered) -> tuple[str, str] | None:
        """Why Python plugin p cannot be imported under its module name, as (kind, one-line
        error), or None. Kinds: "stdlib" (a standard-library module), "outside" (a module
        importable from outside the plugin directories: a site package, a module next to the
        script) and "shared" (the module name of another of the discovered plugins)."""
        name = self._module_name(p)
        folder = os.path.isdir(p.path)
        new = re.sub(r"\W", "_", p.name)
        new = ("plugin_" if not new or new[0].isdigit() else "") + new + "_plugin"
        rename = (f"rename {name}/ (e.g. to {new}/)" if folder else f"rename {name}.py (e.g. to {new}.py)")
        why = f"plugin {p.name!r} cannot use the module name {name!r}"
        if name in sys.stdlib_module_names:
            return "stdlib", f"{why}: it is a standard-library module; {rename}"
        excluded = {_real(d) for d in self.dirs} | _plugin_paths | {_real(os.path.dirname(p.path))}
        where = _found_outside(name, excluded)
        if where is not None:
            return "outside", f"{why}: a module of that name is importable from {where}; {rename}"
        for q in discovered:
            if q is not p and not q.native and q.path != p.path and self._module_name(q) == name:
                return "shared", (f"{why}: plugin {q.name!r} ({q.path}) has the same module name; "
                                  f"rename {p.path}{'/' if folder else ''} (e.g. to {new}{'/' if folder else '.py'})")
        return None

    def _check_module_names(self, discovered: list[PluginStatus]) -> dict[str, str]:
        """Fails each discovered Python plugin whose module name is not free (an error it
        already has stays); returns module name -> plugin for the finder and the owner hook,
        without the plugins whose module name is a module from elsewhere."""
        module_plugins: dict[str, str] = {}
        for p in discovered:
            if p.native:
                continue
            problem = self._module_name_problem(p, discovered)
            if problem is not None and p.state != FAILED:
                p.state, p.error, p.traceback = FAILED, problem[1], ""
            if problem is None or problem[0] == "shared":
                module_plugins.setdefault(self._module_name(p), p.name)
        return module_plugins

    def _plugin_for_module(self, name: str) -> PluginStatus | None:
        """The discovered Python plugin imported under top-level module name, or None."""
        plugin = self._module_plugins.get(name)
        return self.plugins.get(plugin) if plugin is not None else None

    def _plugin_defining(self, module: str) -> str | None:
        """The plugin whose file defines module (its module or a submodule) when that plugin
        is loaded or its code runs; None for any other module (a helper, the standard library,
        a script)."""
        top = module.partition(".")[0]
        q = self._plugin_for_module(top)
        if q is None or (q.state != LOADED and q.name not in _running):
            return None
        file = getattr(sys.modules.get(top), "__file__", None)
        if not isinstance(file, str) or os.path.abspath(file) not in (q.path, os.path.join(q.path, "__init__.py")):
            return None   # something else took the name
        return q.name

    def _may_import(self, plugin: str, other: str) -> bool:
        """Whether plugin's code may import plugin other: other is in its requires (also in the
        __plugin__ of the file now, which a reload reads before it applies it)."""
        p = self.plugins.get(plugin)
        if p is None or other in p.requires:
            return True
        if not p.native:
            meta, problem, _ = _read_metadata(p.path)
            req = meta.get("requires", []) if not problem else []
            if isinstance(req, (list, tuple)) and other in [str(r) for r in req]:
                return True
        return False

    def _check_import(self, module: str) -> None:
        """Refuses an import of another plugin's module from the code of a plugin that does not
        require it (called by _guarded_import while plugin code runs on this thread)."""
        q = self._plugin_for_module(module)
        plugin = current_plugin()
        if q is not None and plugin is not None and q.name != plugin and not self._may_import(plugin, q.name):
            raise ImportError(self._unrequired(plugin, q), name=module)

    @staticmethod
    def _unrequired(plugin: str, q: PluginStatus) -> str:
        return (f"plugin {plugin!r} imports plugin {q.name!r} without requiring it: "
                f"add {q.name!r} to {plugin}'s requires in its __plugin__")

    def _import_refusal(self, q: PluginStatus, module: str) -> str:
        """Why module, plugin q's module name, cannot be imported now on this thread (it is not
        in sys.modules)."""
        plugin = current_plugin()
        if plugin is not None and q.name != plugin and not self._may_import(plugin, q.name):
            return self._unrequired(plugin, q)
        if q.state == LOADED:
            return (f"cannot import {module!r}: plugin {q.name!r} is loaded, but its module is not "
                    "in sys.modules (it is being reloaded, or was removed from sys.modules)")
        why = q.state + (f": {q.error}" if q.error else "")
        return f"cannot import {module!r}: it is the module of plugin {q.name!r}, which is not loaded ({why})"

    def _owns_module(self, p: PluginStatus, name: str) -> bool:
        """Whether module name is p's: its module, a submodule, or a helper from p's directory.
        Other modules p happened to import first (standard library, site packages) stay when p
        goes: other code may hold them, and some cannot be imported twice."""
        top = self._module_name(p)
        if name == top or name.startswith(top + "."):
            return True
        file = getattr(sys.modules.get(name), "__file__", None)
        if not isinstance(file, str):
            return False
        # A helper is a module or package that sits directly in p's directory.
        base = os.path.join(os.path.dirname(p.path), name.partition(".")[0])
        file = os.path.abspath(file)
        return file == base + ".py" or file.startswith(base + os.sep)

    def _new_modules(self, p: PluginStatus, before: set) -> list[str]:
        return sorted(m for m in set(sys.modules) - before if self._owns_module(p, m))

    def _loaded_modules(self, p: PluginStatus) -> list[str]:
        """p's modules: those it added while loading, and its submodules imported since."""
        prefix = self._module_name(p) + "."
        return sorted(set(self._modules.get(p.name, [])) | {m for m in sys.modules if m.startswith(prefix)})

    def _exec(self, p: PluginStatus, checked: bool = False):
        """Imports p's module (register() not yet called) into sys.modules under its name;
        checks the module name first unless the caller did (checked)."""
        name = self._module_name(p)
        if name in sys.modules:
            raise ImportError(f"cannot load plugin {p.name!r} from {p.path}: the module name {name!r} is "
                              "already in use (rename the plugin's file or directory)")
        if not checked:
            problem = self._module_name_problem(p, self.plugins.values())
            if problem is not None:
                raise ImportError(problem[1])
        directory = os.path.dirname(p.path)
        if directory not in sys.path:
            sys.path.append(directory)  # lets a plugin import the helper modules next to it
        _plugin_paths.add(_real(directory))
        # The plugin's code comes from the code cache (_bytecode.py) when its source is unchanged;
        # its package's submodules too (_PluginModuleFinder).
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

    def _run_guarded(self, p: PluginStatus, fn):
        """Runs plugin code fn with the ownership context, the timeout and the crash guard
        set. Each call has its own watchdog: a nested _call_with_timeout in the plugin's code
        does not disarm or move this deadline."""
        previous = current_plugin()
        previous_manager = getattr(_context, "manager", None)
        _context.plugin, _context.manager = p.name, self
        previous_publisher = _typehost._set_thread_owner("plugin:" + p.name)
        _running.append(p.name)
        _guard_imports()
        self._guard(p.name)
        try:
            if self.timeout <= 0:
                return fn()
            try:
                return _typehost._call_with_timeout(self.timeout, PluginTimeout, fn)
            except PluginTimeout as e:
                e.args = (f"plugin {p.name!r} ran longer than {self.timeout:g} s and was interrupted",)
                raise
        finally:
            _context.plugin, _context.manager = previous, previous_manager
            _typehost._set_thread_owner(previous_publisher)
            _unguard_imports()
            _running.pop()
            self._guard(None)

    @staticmethod
    def _forget_classes(owners: set, modules) -> None:
        """Drops what @py_class remembers of classes of these plugins and modules: a class
        waiting for a forward reference would otherwise register later under an owner that is
        gone, and a forward reference of a new version would find a class of the old one."""
        _registrations.forget(owners, modules)

    @staticmethod
    def _describe(exc: BaseException) -> tuple[str, str]:
        """(error, traceback) of a plugin failure. The traceback starts at the plugin's own
        code: the manager's frames and importlib's above it are left out, as importlib leaves
        out its own. Every frame from the plugin's down is kept, and an error with no plugin
        frame at all (a bug in the manager) keeps every frame."""
        error = str(exc) if isinstance(exc, PluginTimeout) else f"{type(exc).__name__}: {exc}"
        tb = exc.__traceback__
        while tb is not None and _is_host_frame(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        if tb is None and not isinstance(exc, SyntaxError):   # a SyntaxError names its own line
            tb = exc.__traceback__
        import traceback
        return error, "".join(traceback.format_exception(type(exc), exc, tb))

    def _load(self, p: PluginStatus) -> bool:
        p.error = p.traceback = ""
        p.warnings = []
        if not p.native and not self._check_module_name(p):
            return False
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
                module = self._run_guarded(p, lambda: self._register(self._exec(p, checked=True)))
        except BaseException as exc:  # noqa: BLE001 - every plugin failure becomes its status
            _typehost._rollback_journal()
            # A plugin that failed to load owns nothing: also not a class of it that waited for
            # a forward reference and was completed from another thread (not in the journal).
            _typehost._remove_owner(owner)
            gone = self._new_modules(p, before)
            for name in gone:
                sys.modules.pop(name, None)
            self._forget_classes({owner}, gone + [self._module_name(p)])
            p.state = FAILED
            p.error, p.traceback = self._describe(exc)
            p.load_seconds = time.perf_counter() - started
            return False
        _typehost._commit_journal()
        p.load_seconds = time.perf_counter() - started
        self._modules[p.name] = self._new_modules(p, before)
        self._module_objects[p.name] = module
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
            meta, problem, detail = _read_metadata(p.path)
            if problem:
                p.state, p.error, p.traceback = FAILED, problem, detail
                return False
            _apply_metadata(p, meta)
        missing = self._missing_requirement(p)
        if missing:
            p.state, p.error, p.traceback = FAILED, f"requires plugin {missing!r}, which is not loaded", ""
            return False
        p.state = UNLOADED
        return self._load(p)

    # ---- unloading ----

    def _dependents(self, name: str) -> list[str]:
        """Loaded plugins that require name, directly or not; each after its own dependents."""
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
                import traceback
                p.traceback = "".join(traceback.format_exception(exc))
        _typehost._remove_owner("plugin:" + p.name)
        gone = self._loaded_modules(p)
        for name in gone:
            sys.modules.pop(name, None)
        self._modules.pop(p.name, None)
        self._forget_classes({"plugin:" + p.name}, gone + [self._module_name(p)])
        p.types = []
        p.warnings = []
        p.state = UNLOADED

    def unload(self, name: str) -> list[str]:
        _refuse_from_plugin_code(f"unload plugin {name!r}")
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
        self._refresh_warnings()   # what the others referred to may be gone
        self._notify()
        return order

    def unload_all(self) -> list[str]:
        """Unloads every loaded plugin, dependents first; returns the names unloaded."""
        _refuse_from_plugin_code("unload plugins")
        done: list[str] = []
        for p in reversed(list(self.plugins.values())):
            if p.state == LOADED:
                for n in self._dependents(p.name) + [p.name]:
                    self._unload_one(self.plugins[n])
                    done.append(n)
        if done:
            self._notify()
        return done

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

    @staticmethod
    def _generation(key: str) -> int | None:
        try:
            return _typehost._type_info(key)["generation"]
        except (KeyError, TypeError):
            return None

    def reload(self, name: str) -> ReloadReport:
        _refuse_from_plugin_code(f"reload plugin {name!r}")
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        report = _reload_report(plugin=name)
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
        owner = "plugin:" + name
        dependents = self._dependents(name)[::-1]   # each after the plugins it requires
        chain = [name] + dependents
        plugins = {n: self.plugins[n] for n in chain}
        old_keys = {n: _typehost._owned_keys("plugin:" + n) for n in chain}
        before_types = self._type_snapshot(old_keys[name])
        saved_modules = {n: {m: sys.modules[m] for m in self._loaded_modules(plugins[n]) if m in sys.modules}
                         for n in chain}
        saved_objects = {n: self._module_objects.get(n) for n in chain}
        saved_registrations = _registrations.snapshot()
        for n in chain:
            for m in saved_modules[n]:
                sys.modules.pop(m, None)
            self._forget_classes({"plugin:" + n}, list(saved_modules[n]) + [self._module_name(plugins[n])])
        before = set(sys.modules)
        started = time.perf_counter()
        _typehost._begin_journal()
        new_modules: dict[str, object] = {}
        metas: dict[str, dict] = {}
        unregistered: list[str] = []      # old versions whose unregister() has run
        notes: dict[str, str] = {}
        failed: tuple[str, str, str] | None = None   # (plugin, error, traceback)
        for n in chain:
            q = plugins[n]
            if q.native:
                failed = (n, "ImportError: native plugins cannot be reloaded in a running host", "")
                break
            metas[n], problem, detail = _read_metadata(q.path)
            if problem:
                failed = (n, problem, detail)
                break
            generations = {k: self._generation(k) for k in old_keys[n]}
            try:
                module = self._run_guarded(q, lambda q=q: self._exec(q))
                # The old version lets go (unpublishes, disconnects) before the new one registers.
                old_unregister = getattr(saved_objects[n], "unregister", None)
                if callable(old_unregister):
                    unregistered.append(n)
                    try:
                        self._run_guarded(q, old_unregister)
                    except BaseException as exc:  # noqa: BLE001 - the old version goes anyway
                        notes[n] = f"old version's unregister() raised {type(exc).__name__}: {exc}"
                new_modules[n] = self._run_guarded(q, lambda m=module: self._register(m))
            except BaseException as exc:  # noqa: BLE001
                failed = (n, *self._describe(exc))
                break
            # Types of the old version that the new one did not define again go away.
            gone = [k for k in old_keys[n] if generations[k] is not None and self._generation(k) == generations[k]]
            if gone:
                _typehost._remove(gone, "plugin:" + n)
        if failed is not None:
            who, report.error, report.traceback = failed
            for m in set(sys.modules) - before:
                if any(self._owns_module(q, m) for q in plugins.values()):
                    sys.modules.pop(m, None)
            for n in chain:
                sys.modules.update(saved_modules[n])
            _registrations.restore(saved_registrations)
            # The registry and the published values as they were; then old versions that
            # unregistered register again, with their types current again (what they publish
            # are instances of those types, which a stale check would refuse otherwise).
            _typehost._rollback_journal()
            for n in unregistered:
                old_register = getattr(saved_objects[n], "register", None)
                if callable(old_register):
                    try:
                        self._run_guarded(plugins[n], old_register)
                    except BaseException as exc:  # noqa: BLE001
                        report.error += (f" (and register() of the old {n!r} raised "
                                         f"{type(exc).__name__}: {exc} when run again)")
            if who != name:
                report.error = f"dependent plugin {who!r} failed: {report.error}"
            p.error = f"reload failed, the previous version stays active: {report.error}"
            p.traceback = report.traceback
            self._notify()
            return report
        # Published values move to the new versions with the reload (nothing can fail after
        # this: the journal commits next).
        try:
            report.values = _typehost._migrate_published()
        except Exception as exc:  # noqa: BLE001 - e.g. a default_factory of a new field raised
            report.values = [{"name": "", "migrated": False, "objects": 0,
                              "issues": [("", f"migration stopped: {type(exc).__name__}: {exc}")]}]
        _typehost._commit_journal()
        for n in chain:
            q = plugins[n]
            self._modules[n] = sorted(m for m in set(sys.modules) - before if self._owns_module(q, m))
            self._module_objects[n] = new_modules[n]
            _apply_metadata(q, metas[n])
            q.state = LOADED
            q.types = _typehost._owned_keys("plugin:" + n)
            q.error, q.traceback = notes.get(n, ""), ""
        p.load_seconds = time.perf_counter() - started
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
        self._refresh_warnings()
        self._notify()
        return report

    def reload_all(self) -> list[ReloadReport]:
        """Reloads every loaded Python plugin once (a dependent comes along with what it
        requires), then tries every failed plugin again."""
        _refuse_from_plugin_code("reload plugins")
        reloadable = {p.name for p in self.plugins.values() if p.state == LOADED and not p.native}
        roots = [p.name for p in self.plugins.values()
                 if p.name in reloadable and not any(r in reloadable for r in p.requires)]
        failed = [p.name for p in self.plugins.values() if p.state == FAILED]
        return [self.reload(name) for name in roots + failed]

    # ---- enable / disable ----

    def disable(self, name: str) -> list[str]:
        _refuse_from_plugin_code(f"disable plugin {name!r}")
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
        _refuse_from_plugin_code(f"enable plugin {name!r}")
        p = self.plugins.get(name)
        if p is None:
            raise KeyError(f"no plugin named {name!r}")
        disabled = self._disabled()
        disabled.discard(name)
        self._save_disabled(disabled)
        if p.state in (DISABLED, SKIPPED, UNLOADED, FAILED):
            self._fresh_load(p)
            self._refresh_warnings()
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
                import traceback
                traceback.print_exc()


_manager: PluginManager | None = None


def manager() -> PluginManager | None:
    return _manager


def start(dirs: list[str], **options) -> PluginManager:
    """Creates the process-wide manager (replacing an earlier one) and loads all plugins."""
    global _manager
    _refuse_from_plugin_code("start the plugin manager")
    if _manager is not None:
        _manager.unload_all()
    _manager = PluginManager(dirs, **options)
    _manager.load_all()
    return _manager


class Plugins:
    """The host's plugins (``typehost.plugins``): calling it gives the status of every plugin
    (as before); the methods act on the process-wide manager, as the window's Plugins dock and
    ``typehost-headless enable|disable`` do. Plugin code may read but not load, unload, reload,
    enable or disable (RuntimeError)."""

    def __call__(self) -> list[PluginStatus]:
        """Status of every plugin the host knows: name, version, path, state, load time,
        types, error, traceback and warnings."""
        return list(_manager.plugins.values()) if _manager is not None else []

    @staticmethod
    def _manager() -> PluginManager:
        if _manager is None:
            raise RuntimeError("no plugins are loaded in this process (the host was started with --no-plugins, "
                               "or this is not a host)")
        return _manager

    def status(self, name: str) -> PluginStatus:
        """The status of one plugin (KeyError for an unknown name)."""
        m = self._manager()
        if name not in m.plugins:
            raise KeyError(f"no plugin named {name!r}")
        return m.plugins[name]

    def reload(self, name: str) -> ReloadReport:
        """Loads the new version of a plugin and swaps (docs/plugins.md, "Reload")."""
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
            if callback in m._listeners:
                m._listeners.remove(callback)
        return stop

    def __repr__(self):
        return f"<typehost.plugins: {len(self())} plugins>"


plugins = Plugins()
