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


def _plugin_dirs(opts) -> list[str]:
    """The directories to load plugins from: --plugins, TYPEHOST_PLUGIN_PATH, the user
    directory, then the bundled ones (none with --no-bundled)."""
    from .. import _plugins
    bundled = [] if opts.get("no_bundled") else _typehost._bundled_plugin_dirs()
    return _plugins.default_plugin_dirs(opts.get("plugin_dirs", []), bundled)


def _start_plugins(opts) -> None:
    from .. import _plugins
    if opts.get("no_plugins"):
        return
    dirs = _plugin_dirs(opts)
    _plugins.start(dirs, allow_insecure=opts.get("allow_insecure", False),
                   timeout=opts.get("plugin_timeout", 10.0), safe_mode=opts.get("safe_mode", False))


def _enable_disable(command: str, name: str, opts) -> int:
    """enable NAME: remembered as enabled, and loaded now (exit 1 when it fails to load);
    disable NAME: unloaded (with what requires it) and kept from loading at later starts."""
    from .. import _plugins
    if opts.get("no_plugins"):
        return _usage_line(f"{command} needs the plugins: drop --no-plugins")
    try:
        if command == "disable":
            unloaded = _plugins.plugins.disable(name)
            also = [n for n in unloaded if n != name]
            print(f"disabled {name}" + (f" (also unloaded, as they require it: {', '.join(also)})" if also else ""))
            return 0
        p = _plugins.plugins.enable(name)
    except KeyError:
        known = ", ".join(sorted(s.name for s in _plugins.plugins())) or "none"
        return _error(f"no plugin named {name!r} (plugins: {known})")
    if p.state == _plugins.LOADED:
        print(f"enabled {name}: loaded")
        return 0
    print(f"enabled {name}: {p.state}: {p.error}")
    return 1


def _plugins_table(opts) -> int:
    from .. import _plugins
    rows = _plugins.plugins()
    if opts["json"]:
        print(json.dumps([p.as_dict() for p in rows], indent=2))
        return 0
    if not rows:
        print("(no plugins)")
        return 0
    nw = max(4, max(len(p.name) for p in rows))
    print(f"{'NAME':<{nw}}  {'VERSION':<8} {'STATE':<9} {'TIME':>8}  TYPES  PATH")
    for p in rows:
        print(f"{p.name:<{nw}}  {p.version or '-':<8} {p.state:<9} {p.load_seconds * 1000:>6.1f}ms  "
              f"{len(p.types):>5}  {p.path}")
    for p in rows:
        if p.error:
            print(f"\n{p.name} ({p.state}): {p.error}")
            if p.traceback:
                print(p.traceback.rstrip())
    for p in rows:
        if p.warnings:
            print(f"\n{p.name} ({p.state}, {len(p.warnings)} warning{'s' if len(p.warnings) != 1 else ''}):")
            for w in p.warnings:
                print(f"  {w}")
    return 0


# ---- plugin problems: check, --strict and the warning of every other command
#
# A problem (typehost._plugins.PluginManager.problems()) is a plugin that failed, one the crash
# guard skipped, or a loaded plugin's class still waiting for a name or type referring to a key
# nobody registered.


def _problems(opts) -> list[dict]:
    from .. import _plugins
    m = _plugins.manager()
    if opts.get("no_plugins") or m is None:
        return []
    return m.problems()


def _check(args, opts) -> int:
    """Loads the plugins (done by main) and reports every problem: one line each on stdout
    (--json: a list of problem objects), exit 1; else "ok: N plugins loaded, M types" (the
    types the loaded plugins registered), exit 0."""
    from .. import _plugins
    problems = _problems(opts)
    if opts["json"]:
        print(json.dumps(problems, indent=2))
    elif problems:
        for d in problems:
            print(_plugins.format_problem(d))
    else:
        rows = [] if opts.get("no_plugins") else [p for p in _plugins.plugins() if p.state == _plugins.LOADED]
        loaded, types = len(rows), sum(len(p.types) for p in rows)
        print(f"ok: {loaded} plugin{'s' if loaded != 1 else ''} loaded, {types} type{'s' if types != 1 else ''}")
    return 1 if problems else 0


def _strict_report(command: str, opts) -> bool:
    """--strict: every problem as a line on stderr; True when there was any."""
    from .. import _plugins
    problems = _problems(opts)
    for d in problems:
        print(f"typehost-headless: {_plugins.format_problem(d)}", file=sys.stderr)
    if problems:
        n = len(problems)
        ran = "" if command in ("plugins",) else f"; '{command}' was not run"
        print(f"typehost-headless: --strict: {n} plugin problem{'s' if n != 1 else ''}{ran}", file=sys.stderr)
    return bool(problems)


def _failure_warning(opts) -> None:
    """Without --strict: one line on stderr naming the plugins that failed or that the crash
    guard skipped, if any."""
    from .. import _plugins
    if opts.get("no_plugins"):
        return
    rows = _plugins.plugins()
    failed = [p.name for p in rows if p.state == _plugins.FAILED]
    skipped = [p.name for p in rows if p.state == _plugins.SKIPPED and p.error.startswith(_plugins.CRASH_GUARD_SKIP)]
    if not failed and not skipped:
        return
    parts = []
    if failed:
        parts.append(f"{len(failed)} plugin{'s' if len(failed) != 1 else ''} failed to load: {', '.join(failed)}")
    if skipped:
        noun = "" if failed else (" plugin" if len(skipped) == 1 else " plugins")
        parts.append(f"{len(skipped)}{noun} skipped by the crash guard: {', '.join(skipped)}")
    print(f"typehost-headless: warning: {'; '.join(parts)} (see 'typehost-headless plugins')", file=sys.stderr)


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
        _start_plugins(opts)
        if opts.get("host_executable"):
            _children.configure(opts, opts["host_executable"])
        # Without --strict a script's stderr stays the script's: no warning about plugins.
        if opts.get("strict") and _strict_report(command, opts):
            return 1
        return _run_python(run)
    if command in ("types", "dump", "plugins", "check") and args:
        return _usage(f"{command} takes no arguments")
    if command in ("enable", "disable"):
        if len(args) != 1:
            return _usage(f"{command} takes one plugin NAME")
        _start_plugins(opts)
        return _run_command(lambda: _enable_disable(command, args[0], opts), opts)
    _start_plugins(opts)
    strict_failed = False
    if command == "check":
        pass   # its output is the report
    elif opts.get("strict"):
        strict_failed = _strict_report(command, opts)
        if strict_failed and command != "plugins":   # plugins shows the problems: it runs
            return 1
    elif command != "plugins":
        _failure_warning(opts)
    handlers = {
        "types": lambda: _registry.types(opts),
        "show": lambda: _registry.show(args, opts),
        "values": lambda: _registry.values(args, opts),
        "validate": lambda: _registry.validate(args, opts),
        "dump": lambda: _registry.dump(opts),
        "plugins": lambda: _plugins_table(opts),
        "schema": lambda: _registry.schema(args, opts),
        "stubs": lambda: _registry.stubs(args, opts),
        "check": lambda: _check(args, opts),
    }
    status = _run_command(handlers[command], opts)
    return 1 if strict_failed and status == 0 else status
