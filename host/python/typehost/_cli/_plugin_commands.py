"""The plugins of a command: the directories they load from, starting them, the commands
about them (plugins, enable, disable, check), and what the other commands say about plugin
problems (the --strict report, the warning without --strict)."""

from __future__ import annotations

import json
import sys

import _typehost

from ._output import error, usage_line


def plugin_dirs(opts) -> list[str]:
    """The directories to load plugins from: --plugins, TYPEHOST_PLUGIN_PATH, the user
    directory, then the bundled ones (none with --no-bundled)."""
    from .. import _plugins
    bundled = [] if opts.get("no_bundled") else _typehost._bundled_plugin_dirs()
    return _plugins.default_plugin_dirs(opts.get("plugin_dirs", []), bundled)


def start_plugins(opts) -> None:
    from .. import _plugins
    if opts.get("no_plugins"):
        return
    dirs = plugin_dirs(opts)
    _plugins.start(dirs, allow_insecure=opts.get("allow_insecure", False),
                   timeout=opts.get("plugin_timeout", 10.0), safe_mode=opts.get("safe_mode", False))


def enable_disable(command: str, name: str, opts) -> int:
    """enable NAME: remembered as enabled, and loaded now (exit 1 when it fails to load);
    disable NAME: unloaded (with what requires it) and kept from loading at later starts."""
    from .. import _plugins
    if opts.get("no_plugins"):
        return usage_line(f"{command} needs the plugins: drop --no-plugins")
    try:
        if command == "disable":
            unloaded = _plugins.plugins.disable(name)
            also = [n for n in unloaded if n != name]
            print(f"disabled {name}" + (f" (also unloaded, as they require it: {', '.join(also)})" if also else ""))
            return 0
        p = _plugins.plugins.enable(name)
    except KeyError:
        known = ", ".join(sorted(s.name for s in _plugins.plugins())) or "none"
        return error(f"no plugin named {name!r} (plugins: {known})")
    if p.state == _plugins.LOADED:
        print(f"enabled {name}: loaded")
        return 0
    print(f"enabled {name}: {p.state}: {p.error}")
    return 1


def plugins_table(opts) -> int:
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


def check(args, opts) -> int:
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


def strict_report(command: str, opts) -> bool:
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


def failure_warning(opts) -> None:
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
