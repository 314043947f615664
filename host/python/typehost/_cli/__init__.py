"""The commands of typehost-headless, run inside the embedded interpreter."""

from __future__ import annotations

import builtins
import io
import json
import os
import stat
import sys
import types as _types_module

import _typehost
import typehost

from .. import _api
from . import _plugin_commands
from . import _registry_commands as _registry
from ._python import prepare_python as _prepare_python, run_python as _run_python  # noqa: F401
from ._output import USAGE_ERROR, run_command as _run_command  # noqa: F401
from ._output import error as _error, usage as _usage, usage_line as _usage_line  # noqa: F401


def _option_problem(command: str, opts) -> str | None:
    """The usage error in the options, if any (checked before any plugin loads)."""
    if opts.get("output") is not None:
        if command in _PYTHON_ENTRIES:
            return f"-o/--output does not apply to {command} (a script writes its own files)"
        if not opts["output"]:
            return "-o/--output needs a FILE name"
    if opts.get("self_contained") and command != "stubs":
        return f"--self-contained applies only to stubs, not to {command}"
    dirs = opts.get("plugin_dirs") or []
    if dirs and opts.get("no_plugins"):
        return "--plugins DIR and --no-plugins conflict"
    for d in dirs:
        try:
            st = os.stat(d)
        except OSError as e:
            return f"--plugins {d}: {e.strerror}"
        if not stat.S_ISDIR(st.st_mode):
            return f"--plugins {d}: Not a directory"
    return None


_PYTHON_ENTRIES = ("run", "-c", "-m")


def main(command: str, args: list[str], opts: dict) -> int:
    known = (*_PYTHON_ENTRIES, "types", "show", "values", "validate", "dump", "plugins", "schema", "stubs",
             "check", "enable", "disable")
    if command not in known:
        return _usage(f"unknown command '{command}'")
    problem = _option_problem(command, opts)
    if problem:
        return _usage_line(problem)
    if command in _PYTHON_ENTRIES:
        run = _prepare_python(command, args)
        if isinstance(run, int):
            return run
        from .. import _children
        if _children.is_child(command, args):   # multiprocessing starting a child of a host
            opts = _children.child_options(opts, args[0])
        _plugin_commands.start_plugins(opts)
        if opts.get("host_executable"):
            _children.configure(opts, opts["host_executable"])
        # Without --strict a script's stderr stays the script's: no warning about plugins.
        if opts.get("strict") and _plugin_commands.strict_report(command, opts):
            return 1
        return _run_python(run)
    if command in ("types", "dump", "plugins", "check") and args:
        return _usage(f"{command} takes no arguments")
    if command in ("enable", "disable"):
        if len(args) != 1:
            return _usage(f"{command} takes one plugin NAME")
        _plugin_commands.start_plugins(opts)
        return _run_command(lambda: _plugin_commands.enable_disable(command, args[0], opts), opts)
    _plugin_commands.start_plugins(opts)
    strict_failed = False
    if command == "check":
        pass   # its output is the report
    elif opts.get("strict"):
        strict_failed = _plugin_commands.strict_report(command, opts)
        if strict_failed and command != "plugins":   # plugins shows the problems: it runs
            return 1
    elif command != "plugins":
        _plugin_commands.failure_warning(opts)
    handlers = {
        "types": lambda: _registry.types(opts),
        "show": lambda: _registry.show(args, opts),
        "values": lambda: _registry.values(args, opts),
        "validate": lambda: _registry.validate(args, opts),
        "dump": lambda: _registry.dump(opts),
        "plugins": lambda: _plugin_commands.plugins_table(opts),
        "schema": lambda: _registry.schema(args, opts),
        "stubs": lambda: _registry.stubs(args, opts),
        "check": lambda: _plugin_commands.check(args, opts),
    }
    status = _run_command(handlers[command], opts)
    return 1 if strict_failed and status == 0 else status
