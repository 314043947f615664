"""main(): which command runs, with which options. It checks the command, its arguments and
its options before any plugin loads, starts the plugins, reports plugin problems (--strict, or
the warning), then runs the command. The module of a command's family is imported only for
that family: _python for run/-c/-m, _registry_commands for the registry's commands."""

from __future__ import annotations

import os
import stat

from . import _plugin_commands
from ._output import run_command, usage, usage_line

_PYTHON_ENTRIES = ("run", "-c", "-m")


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


def _handler(command: str, args: list[str], opts):
    """The function that runs a built-in command and returns its exit status."""
    if command == "plugins":
        return lambda: _plugin_commands.plugins_table(opts)
    if command == "check":
        return lambda: _plugin_commands.check(args, opts)
    from . import _registry_commands as registry
    return {
        "types": lambda: registry.types(opts),
        "show": lambda: registry.show(args, opts),
        "values": lambda: registry.values(args, opts),
        "validate": lambda: registry.validate(args, opts),
        "dump": lambda: registry.dump(opts),
        "schema": lambda: registry.schema(args, opts),
        "stubs": lambda: registry.stubs(args, opts),
    }[command]


def main(command: str, args: list[str], opts: dict) -> int:
    known = (*_PYTHON_ENTRIES, "types", "show", "values", "validate", "dump", "plugins", "schema", "stubs",
             "check", "enable", "disable")
    if command not in known:
        return usage(f"unknown command '{command}'")
    problem = _option_problem(command, opts)
    if problem:
        return usage_line(problem)
    if command in _PYTHON_ENTRIES:
        from . import _python
        run = _python.prepare_python(command, args)
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
        return _python.run_python(run)
    if command in ("types", "dump", "plugins", "check") and args:
        return usage(f"{command} takes no arguments")
    if command in ("enable", "disable"):
        if len(args) != 1:
            return usage(f"{command} takes one plugin NAME")
        _plugin_commands.start_plugins(opts)
        return run_command(lambda: _plugin_commands.enable_disable(command, args[0], opts), opts)
    handler = _handler(command, args, opts)   # imports its module before any plugin code runs
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
    status = run_command(handler, opts)
    return 1 if strict_failed and status == 0 else status
