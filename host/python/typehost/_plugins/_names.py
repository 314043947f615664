"""A Python plugin's module name (garden.py is module "garden"): why a name is not free for a
plugin (a standard-library module, a module importable from outside the plugin directories,
another discovered plugin's module), and which modules in sys.modules are a plugin's."""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys

from ._imports import FINDER, plugin_paths, real_path
from ._status import FAILED


def module_name(p) -> str:
    """The top-level module name plugin p is imported under."""
    base = os.path.basename(p.path)
    return base[:-3] if base.endswith(".py") else base


def _found_outside(name: str, excluded: set) -> str | None:
    """Where module name would be imported from if no directory in excluded (real paths) were
    on sys.path: a file, a package or namespace directory, or "built-in"/"frozen"; None when
    nothing outside them has that name."""
    path = [e for e in sys.path if not (isinstance(e, str) and real_path(e) in excluded)]
    standard = [importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter,
                importlib.machinery.PathFinder]
    # The standard finders first: another finder may act on being asked (setuptools' shim does
    # for "pip").
    for finder in [f for f in standard if f in sys.meta_path] + [f for f in sys.meta_path if f not in standard]:
        if finder is FINDER:
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
        outside = [place for place in places if os.path.dirname(real_path(place)) not in excluded]
        if outside:
            return file or outside[0]
    return None


def module_name_problem(p, discovered, dirs) -> tuple[str, str] | None:
    """Why Python plugin p (of a manager over the plugin directories dirs) cannot be imported
    under its module name, as (kind, one-line error), or None. Kinds: "stdlib" (a
    standard-library module), "outside" (a module importable from outside the plugin
    directories: a site package, a module next to the script) and "shared" (the module name of
    another of the discovered plugins)."""
    name = module_name(p)
    folder = os.path.isdir(p.path)
    new = re.sub(r"\W", "_", p.name)
    new = ("plugin_" if not new or new[0].isdigit() else "") + new + "_plugin"
    rename = (f"rename {name}/ (e.g. to {new}/)" if folder else f"rename {name}.py (e.g. to {new}.py)")
    why = f"plugin {p.name!r} cannot use the module name {name!r}"
    if name in sys.stdlib_module_names:
        return "stdlib", f"{why}: it is a standard-library module; {rename}"
    excluded = {real_path(d) for d in dirs} | plugin_paths | {real_path(os.path.dirname(p.path))}
    where = _found_outside(name, excluded)
    if where is not None:
        return "outside", f"{why}: a module of that name is importable from {where}; {rename}"
    for q in discovered:
        if q is not p and not q.native and q.path != p.path and module_name(q) == name:
            return "shared", (f"{why}: plugin {q.name!r} ({q.path}) has the same module name; "
                              f"rename {p.path}{'/' if folder else ''} (e.g. to {new}{'/' if folder else '.py'})")
    return None


def check_module_names(discovered, dirs) -> dict[str, str]:
    """Fails each discovered Python plugin whose module name is not free (an error it
    already has stays); returns module name -> plugin for the finder and the owner hook,
    without the plugins whose module name is a module from elsewhere."""
    module_plugins: dict[str, str] = {}
    for p in discovered:
        if p.native:
            continue
        problem = module_name_problem(p, discovered, dirs)
        if problem is not None and p.state != FAILED:
            p.state, p.error, p.traceback = FAILED, problem[1], ""
        if problem is None or problem[0] == "shared":
            module_plugins.setdefault(module_name(p), p.name)
    return module_plugins


def owns_module(p, name: str) -> bool:
    """Whether module name is p's: its module, a submodule, or a helper from p's directory.
    Other modules p happened to import first (standard library, site packages) stay when p
    goes: other code may hold them, and some cannot be imported twice."""
    top = module_name(p)
    if name == top or name.startswith(top + "."):
        return True
    file = getattr(sys.modules.get(name), "__file__", None)
    if not isinstance(file, str):
        return False
    # A helper is a module or package that sits directly in p's directory.
    base = os.path.join(os.path.dirname(p.path), name.partition(".")[0])
    file = os.path.abspath(file)
    return file == base + ".py" or file.startswith(base + os.sep)
