"""multiprocessing inside typehost-headless: spawn and forkserver children run the host binary.

sys.executable stays a real python3 (subprocess calls of scripts expect one), but a child that
multiprocessing starts with the spawn or forkserver method must import typehost (the C++
module, the plugins whose classes its arguments are instances of). So, in the headless host:

- the first import of multiprocessing.spawn is followed by multiprocessing.set_executable(the
  typehost-headless binary) (a finder on sys.meta_path: nothing is imported before a script
  asks for multiprocessing, so the start-up of other commands pays nothing);
- the parent's plugin options go to the children in TYPEHOST_CHILD_OPTIONS (JSON), which the
  child's `-c 'from multiprocessing...'` entry reads (child_options), so that it loads the
  same plugins as the parent.

The fork method needs neither: the child is a copy of the parent.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import sys

ENV = "TYPEHOST_CHILD_OPTIONS"
_KEYS = ("plugin_dirs", "no_plugins", "no_bundled", "safe_mode", "plugin_timeout", "allow_insecure")


class _SetExecutableAfterSpawnImport:
    """Finds nothing itself: wraps the loader of multiprocessing.spawn so that the module,
    once executed, names the host binary as the interpreter of new children."""

    def __init__(self, executable: str):
        self.executable = executable

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "multiprocessing.spawn":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        executable = self.executable

        class Loader(importlib.machinery.SourceFileLoader):
            def exec_module(self, module):
                super().exec_module(module)
                module.set_executable(executable)

        spec.loader = Loader(spec.loader.name, spec.loader.path)
        return spec


def configure(opts: dict, executable: str) -> None:
    """In the parent: children started by multiprocessing run `executable` with these plugin
    options."""
    os.environ[ENV] = json.dumps({k: opts[k] for k in _KEYS if k in opts})
    if "multiprocessing.spawn" in sys.modules:
        sys.modules["multiprocessing.spawn"].set_executable(executable)
    elif not any(isinstance(f, _SetExecutableAfterSpawnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _SetExecutableAfterSpawnImport(executable))


def is_child(kind: str, args: list[str]) -> bool:
    """Whether `-c CODE ...` is multiprocessing starting a child (spawn_main or the
    forkserver's main)."""
    return kind == "-c" and bool(args) and args[0].startswith("from multiprocessing.") and ENV in os.environ


def child_options(opts: dict, code: str) -> dict:
    """The parent's plugin options over this process's (a child of multiprocessing). The
    resource tracker, which unpickles nothing, loads no plugins."""
    merged = dict(opts)
    if code.startswith("from multiprocessing.resource_tracker"):
        merged["no_plugins"] = True
        return merged
    try:
        inherited = json.loads(os.environ.get(ENV, "{}"))
    except ValueError:
        return opts
    merged.update({k: v for k, v in inherited.items() if k in _KEYS})
    return merged
