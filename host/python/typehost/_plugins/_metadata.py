"""A Python plugin's static metadata: the module-level __plugin__ literal, read from the source
with ast (never by running the plugin) and cached with the plugin's code (_bytecode.py)."""

from __future__ import annotations

import ast
import os

from .. import _bytecode


def read_metadata(path: str) -> tuple[dict, str, str]:
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
    found = parse_metadata(source_file, source)
    _bytecode.store_metadata(source_file, source, found)
    return found


def parse_metadata(source_file: str, source: bytes) -> tuple[dict, str, str]:
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


def apply_metadata(status, meta: dict) -> None:
    """Version, description and requires from a __plugin__ dict into a PluginStatus (the name
    is set once)."""
    status.version = str(meta.get("version", ""))
    status.description = str(meta.get("description", ""))
    req = meta.get("requires", [])
    status.requires = [str(r) for r in req] if isinstance(req, (list, tuple)) else []
