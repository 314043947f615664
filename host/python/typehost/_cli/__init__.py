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
from ._python import prepare_python as _prepare_python, run_python as _run_python  # noqa: F401
from ._output import USAGE_ERROR, run_command as _run_command  # noqa: F401
from ._output import error as _error, usage as _usage, usage_line as _usage_line  # noqa: F401


def _field_flags(f: dict) -> str:
    """The FLAGS column of `show`: the description's true flags ("hash" only when the class
    hashes, which the description already folds in)."""
    return ",".join(name for name in ("init", "repr", "compare", "hash", "kw_only") if f[name])


def _default_text(f: dict) -> str:
    if f["has_default"]:
        return f["default_repr"]
    return "<factory>" if f["default_factory"] else ""


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""


def _types(opts) -> int:
    rows = []
    for key in typehost.type_keys():
        info = _typehost._type_info(key)   # the registry's facts only (type_info also builds Field objects)
        owner = info["owner"]
        rows.append({"key": key, "kind": info["kind"], "origin": info["origin"],
                     "plugin": owner[len("plugin:"):] if owner.startswith("plugin:") else None,
                     "fields": len(info["fields"])})
    if opts["json"]:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("(no types registered)")
        return 0
    width = max(len(r["key"]) for r in rows)
    print(f"{'KEY':<{width}}  {'ORIGIN':<7} {'PLUGIN':<16} FIELDS")
    for r in rows:
        print(f"{r['key']:<{width}}  {r['origin']:<7} {(r['plugin'] or '-'):<16} {r['fields']}")
    return 0


def _show(args, opts) -> int:
    if len(args) != 1:
        return _usage("show needs exactly one type KEY")
    try:
        d = typehost.type_info(args[0]).describe()
    except KeyError:
        print(f"typehost-headless: no registered type '{args[0]}'", file=sys.stderr)
        return 1
    if opts["json"]:
        print(json.dumps(d, indent=2))
        return 0
    print(f"{d['key']}  ({d['kind']}, {d['origin']}{', plugin ' + d['plugin'] if d['plugin'] else ''})")
    if d["file"]:
        print(f"  defined at {d['file']}:{d['line']}")
    if d["parent"]:
        print(f"  parent: {d['parent']}")
    if d["doc"]:
        print(f"  {_first_line(d['doc'])}")
    for name, value in d["members"]:
        print(f"  {name} = {value!r}")
    rows = [{"NAME": f["name"], "TYPE": f["type"], "DEFAULT": _default_text(f), "FLAGS": _field_flags(f),
             "DOC": _first_line(f["doc"])} for f in d["fields"]]
    if rows:
        columns = ("NAME", "TYPE", "DEFAULT", "FLAGS") + (("DOC",) if any(r["DOC"] for r in rows) else ())
        widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}

        def line(cells: dict) -> str:
            return ("  " + "  ".join(f"{cells[c]:<{widths[c]}}" for c in columns)).rstrip()
        print(line({c: c for c in columns}))
        for r in rows:
            print(line(r))
        if d["kind"] == "object" and not d["hashable"]:
            print("  (instances are not hashable: __hash__ is None, as dataclasses make it for eq=True without "
                  "frozen=True, so no field is hashed)")
    return 0


def _values(args, opts) -> int:
    values = typehost.published()
    if args:   # only the values named, in the order given
        names = list(dict.fromkeys(args))
        unknown = [n for n in names if n not in values]
        if unknown:
            listed = ", ".join(f"'{n}'" for n in unknown)
            return _error(f"no published value{'s' if len(unknown) > 1 else ''} {listed}")
        values = {n: values[n] for n in names}
    out, failed = {}, 0
    for name, value in values.items():
        try:
            out[name] = typehost.to_builtins(value)
        except typehost.ValidationError as e:
            failed += 1
            print(f"typehost-headless: value {name!r} cannot be written as JSON: {e}", file=sys.stderr)
    if opts["json"]:
        print(json.dumps(out, indent=2))
    else:
        for name, value in out.items():
            print(f"{name} = {json.dumps(value, indent=2)}")
    return 1 if failed else 0


class _AnnotationScope(dict):
    """Names in a schema given as a Python annotation: typing's (Optional, Union, Literal,
    Any) and the registered namespaces (robot in robot.Joint, as typehost.types.robot)."""

    def __missing__(self, name: str):
        import typing
        if name in ("Optional", "Union", "Literal", "Any", "Tuple", "List", "Dict") or name == "typing":
            return typing if name == "typing" else getattr(typing, name)
        if hasattr(builtins, name):
            raise KeyError(name)   # list, dict, int, None...: the builtins
        from .. import types
        try:
            return getattr(types, name)
        except AttributeError:
            raise KeyError(name) from None


def _schema_arg(text: str) -> str:
    """The canonical schema text for a schema argument: a type key, schema text
    ("list[robot.Joint]", "dict[str, geo.Vec3]", "Optional[robot.Joint]") or a Python
    annotation of registered types ("robot.Joint | None"), as typehost.from_json takes them.
    Raises KeyError with the message when it is none of these or names an unknown type."""
    try:
        canonical = _typehost._parse_schema(text)
    except ValueError as parse_error:
        try:
            value = eval(text, {"__builtins__": builtins}, _AnnotationScope())  # noqa: S307
        except NameError as e:
            raise KeyError(f"no registered type or namespace '{e.name}' in '{text}'") from None
        except AttributeError as e:
            key = getattr(e, "typehost_key", None)
            raise KeyError(f"no registered type '{key}'" if key else str(parse_error)) from None
        except Exception:  # noqa: BLE001 - not an annotation either: the parser's message
            raise KeyError(str(parse_error)) from None
        try:
            canonical = typehost.schema_of(value)
        except Exception as e:  # noqa: BLE001
            raise KeyError(f"not a schema: '{text}': {e}") from None
    registered = set(typehost.type_keys())
    for key in _api._named_keys(_typehost._schema_tree(canonical)):
        if key not in registered:
            raise KeyError(f"no registered type '{key}'")
    return canonical


def _validate(args, opts) -> int:
    if len(args) != 2:
        return _usage("validate needs a SCHEMA (a type KEY, or e.g. 'list[KEY]') and a FILE")
    given, path = args
    try:
        key = _schema_arg(given)
    except KeyError as e:
        return _error(e.args[0])
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError as e:
        print(f"typehost-headless: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 1
    try:
        _typehost._from_json(text, key)   # typehost.from_json with the schema text
    except typehost.ValidationError as e:
        # Every error, not only the first: a second, slower pass that runs only on failure.
        errors, total = _typehost._json_errors(text, key, 100)
        if not errors:   # only a default factory fails: the reader's error is the one to show
            errors, total = [(getattr(e, "path", ""), str(e))], 1
        if opts["json"]:
            print(json.dumps({"valid": False, "total": total,
                              "errors": [{"pointer": p, "message": m} for p, m in errors]}))
        else:
            for _, message in errors:
                print(f"{path}: {message}", file=sys.stderr)
            if total > len(errors):
                print(f"{path}: ... and {total - len(errors)} more errors", file=sys.stderr)
        return 1
    if opts["json"]:
        print(json.dumps({"valid": True, "errors": []}))
    else:
        print(f"{path}: valid {key}")
    return 0


def _dump(opts) -> int:
    types = [json.loads(_typehost._describe(key)) for key in typehost.type_keys()]
    print(json.dumps({"types": types}, indent=2))
    return 0


def _schema(args, opts) -> int:
    if len(args) > 1:
        return _usage("schema takes at most one SCHEMA (a type KEY or e.g. 'list[KEY]')")
    from .._json_schema import dumps, json_schema
    try:
        schema = json_schema(_schema_arg(args[0]) if args else None)
    except KeyError as e:
        return _error(e.args[0])
    sys.stdout.write(dumps(schema))
    return 0


def _stubs(args, opts) -> int:
    if args:
        return _usage("stubs takes no arguments (write to a file with -o FILE)")
    sys.stdout.write(typehost.stubs(self_contained=bool(opts.get("self_contained"))))
    return 0


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
        "types": lambda: _types(opts),
        "show": lambda: _show(args, opts),
        "values": lambda: _values(args, opts),
        "validate": lambda: _validate(args, opts),
        "dump": lambda: _dump(opts),
        "plugins": lambda: _plugins_table(opts),
        "schema": lambda: _schema(args, opts),
        "stubs": lambda: _stubs(args, opts),
        "check": lambda: _check(args, opts),
    }
    status = _run_command(handlers[command], opts)
    return 1 if strict_failed and status == 0 else status
