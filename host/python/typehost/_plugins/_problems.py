"""Plugin problems, what `typehost-headless check` and --strict report and what
PluginStatus.warnings lists: the problem records, their one-line form (format_problem), where a
failed plugin failed, a loaded plugin's classes still waiting for a name and references nobody
registered, and the line of a field's annotation in the source."""

from __future__ import annotations

import ast
import os
import re

import _typehost

from .._registration import state as _registrations
from ._status import CRASH_GUARD_SKIP, FAILED, LOADED, SKIPPED

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


def _failure_place(p) -> tuple[str, int | None]:
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
                named = list(dict.fromkeys(_tree_keys(_typehost._schema_tree(f["type"]))))
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


def _warning_problems(p) -> list[dict]:
    """A loaded plugin's classes still waiting for a name and unresolved references of its
    types, as problems."""
    return _pending_problems(p.name) + _unresolved_problems(p.name, p.types)


def refresh_warnings(statuses) -> None:
    """Sets PluginStatus.warnings of each of statuses that is loaded from the registry now; a
    plugin that is not loaded has none."""
    for q in statuses:
        q.warnings = ([format_problem(d, with_plugin=False) for d in _warning_problems(q)]
                      if q.state == LOADED else [])


def plugin_problems(statuses) -> list[dict]:
    """The problems of statuses, in their order (PluginManager.problems() says which)."""
    out: list[dict] = []
    for p in statuses:
        if p.state == FAILED:
            file, line = _failure_place(p)
            out.append(_problem(p.name, file, line, None, None, p.error or "failed to load"))
        elif p.state == SKIPPED and p.error.startswith(CRASH_GUARD_SKIP):
            out.append(_problem(p.name, p.path, None, None, None,
                                "skipped by the crash guard: Typehost stopped while loading it last time"))
        elif p.state == LOADED:
            found = _warning_problems(p)
            p.warnings = [format_problem(d, with_plugin=False) for d in found]
            out.extend(found)
    return out
