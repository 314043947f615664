"""The commands of typehost-headless, run inside the embedded interpreter."""

from __future__ import annotations

import json
import os
import runpy
import stat
import sys
import traceback

import _typehost
import typehost

USAGE_ERROR = 2


def _usage(message: str) -> int:
    print(f"typehost-headless: {message}\nTry 'typehost-headless --help'.", file=sys.stderr)
    return USAGE_ERROR


def _run_python(kind: str, args: list[str]) -> int:
    if not args:
        return _usage(f"{'run' if kind == 'run' else kind} needs an argument")
    target, rest = args[0], args[1:]
    # sys.path[0] as python itself sets it: the script's directory, or the current one.
    sys.path.insert(0, os.path.dirname(os.path.abspath(target)) if kind == "run" else os.getcwd())
    try:
        if kind == "run":
            sys.argv = [target, *rest]
            runpy.run_path(target, run_name="__main__")
        elif kind == "-m":
            sys.argv = [target, *rest]
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *rest]
            code = compile(target, "<string>", "exec")
            exec(code, {"__name__": "__main__", "__builtins__": __builtins__})  # noqa: S102
    except SystemExit as e:
        return _exit_status(e.code)
    except BaseException:  # noqa: BLE001 - the script's failure is its exit status
        traceback.print_exc()
        return 1
    return 0


def _exit_status(code) -> int:
    """The exit status python3 gives for sys.exit(code): None is 0; an int is taken as a C long
    (-1 when it does not fit) and cast to a C int, of which the system keeps the low byte
    (2**40 exits 0, 2**64 exits 255); anything else is printed to stderr and exits 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        value = int(code) if -2**63 <= code < 2**63 else -1
        return (value + 2**31) % 2**32 - 2**31
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - as python3: an unprintable code still exits 1
        pass
    return 1


def _field_flags(f) -> str:
    flags = []
    for name in ("init", "repr", "compare"):
        if getattr(f, name):
            flags.append(name)
    if f.hash or (f.hash is None and f.compare):
        flags.append("hash")
    if f.kw_only:
        flags.append("kw_only")
    return ",".join(flags)


def _default_text(f) -> str:
    if f.default is not typehost.MISSING:
        return repr(f.default)
    if f.default_factory is not typehost.MISSING:
        return "<factory>"
    return ""


def _types(opts) -> int:
    rows = []
    for key in typehost.type_keys():
        info = typehost.type_info(key)
        rows.append({"key": key, "kind": info.kind, "origin": info.origin, "plugin": info.plugin,
                     "fields": len(info.fields)})
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
        info = typehost.type_info(args[0])
    except KeyError:
        print(f"typehost-headless: no registered type '{args[0]}'", file=sys.stderr)
        return 1
    fields = [{"name": f.name, "type": f.schema, "default": _default_text(f), "flags": _field_flags(f),
               "doc": f.doc or ""} for f in info.fields]
    if opts["json"]:
        print(json.dumps({"key": info.key, "kind": info.kind, "origin": info.origin,
                          "plugin": info.plugin, "parent": info.parent, "doc": info.doc,
                          "stale": info.stale, "fields": fields,
                          "members": [[n, v] for n, v in info.members]}, indent=2))
        return 0
    print(f"{info.key}  ({info.kind}, {info.origin}{', plugin ' + info.plugin if info.plugin else ''})")
    if info.parent:
        print(f"  parent: {info.parent}")
    if info.doc:
        print(f"  {info.doc.strip().splitlines()[0]}")
    if info.members:
        for name, value in info.members:
            print(f"  {name} = {value!r}")
    if fields:
        nw = max(len(f["name"]) for f in fields)
        tw = max(len(f["type"]) for f in fields)
        dw = max(4, max(len(f["default"]) for f in fields))
        print(f"  {'NAME':<{nw}}  {'TYPE':<{tw}}  {'DEFAULT':<{dw}}  FLAGS")
        for f in fields:
            print(f"  {f['name']:<{nw}}  {f['type']:<{tw}}  {f['default']:<{dw}}  {f['flags']}")
    return 0


def _values(opts) -> int:
    values = typehost.published()
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


def _validate(args, opts) -> int:
    if len(args) != 2:
        return _usage("validate needs a type KEY and a FILE")
    key, path = args
    try:
        typehost.type_info(key)
    except KeyError:
        print(f"typehost-headless: no registered type '{key}'", file=sys.stderr)
        return 1
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError as e:
        print(f"typehost-headless: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 1
    try:
        typehost.from_json(text, key)
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
    types = []
    for key in typehost.type_keys():
        info = typehost.type_info(key)
        types.append({
            "key": info.key, "kind": info.kind, "index": info.index, "parent": info.parent,
            "origin": info.origin, "plugin": info.plugin, "doc": info.doc, "frozen": info.frozen,
            "fields": [{"name": f.name, "type": f.schema, "default": _default_text(f) or None,
                        "init": f.init, "repr": f.repr, "compare": f.compare, "hash": f.hash,
                        "kw_only": bool(f.kw_only), "doc": f.doc} for f in info.fields],
            "members": [[n, v] for n, v in info.members],
        })
    print(json.dumps({"types": types}, indent=2))
    return 0


def _write_output(text: str, opts) -> int:
    """Writes to -o FILE or to stdout. FILE is written through: a symbolic link is followed
    and its target replaced whole, or not at all (a temporary file beside the target, renamed
    over it, with the target's permissions). A path that is not a regular file (a device, a
    FIFO, a directory, also behind a link) is refused and left alone."""
    path = opts.get("output")
    if not path:
        sys.stdout.write(text)
        return 0
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        print(f"typehost-headless: cannot write {path}: {e.strerror}", file=sys.stderr)
        return 1
    if st is not None and not stat.S_ISREG(st.st_mode):
        shown = path if target == os.path.abspath(path) else f"{path} (a link to {target})"
        print(f"typehost-headless: cannot write {shown}: not a regular file", file=sys.stderr)
        return 1
    tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                     stat.S_IMODE(st.st_mode) if st is not None else 0o666)
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            if st is not None:   # the target's permissions and, where allowed, its owner
                os.chmod(fd, stat.S_IMODE(st.st_mode))
                try:
                    os.chown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass
            f.write(text)
        os.replace(tmp, target)
    except OSError as e:
        print(f"typehost-headless: cannot write {path}: {e.strerror}", file=sys.stderr)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return 1
    return 0


def _schema(args, opts) -> int:
    if len(args) > 1:
        return _usage("schema takes at most one type KEY")
    from ._json_schema import dumps, json_schema
    try:
        schema = json_schema(args[0] if args else None)
    except KeyError:
        print(f"typehost-headless: no registered type '{args[0]}'", file=sys.stderr)
        return 1
    return _write_output(dumps(schema), opts)


def _stubs(args, opts) -> int:
    if args:
        return _usage("stubs takes no arguments (write to a file with -o FILE)")
    return _write_output(typehost.stubs(), opts)


def _start_plugins(opts) -> None:
    from . import _plugins
    if opts.get("no_plugins"):
        return
    dirs = _plugins.default_plugin_dirs(opts.get("plugin_dirs", []), _typehost._bundled_plugin_dirs())
    _plugins.start(dirs, allow_insecure=opts.get("allow_insecure", False),
                   timeout=opts.get("plugin_timeout", 10.0), safe_mode=opts.get("safe_mode", False))


def _plugins_table(opts) -> int:
    from . import _plugins
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
    return 0


def main(command: str, args: list[str], opts: dict) -> int:
    known = ("run", "-c", "-m", "types", "show", "values", "validate", "dump", "plugins", "schema", "stubs")
    if command not in known:
        return _usage(f"unknown command '{command}'")
    _start_plugins(opts)
    if command in ("run", "-c", "-m"):
        return _run_python(command, args)
    handlers = {
        "types": lambda: _types(opts),
        "show": lambda: _show(args, opts),
        "values": lambda: _values(opts),
        "validate": lambda: _validate(args, opts),
        "dump": lambda: _dump(opts),
        "plugins": lambda: _plugins_table(opts),
        "schema": lambda: _schema(args, opts),
        "stubs": lambda: _stubs(args, opts),
    }
    handler = handlers.get(command)
    if handler is None:
        return _usage(f"unknown command '{command}'")
    if command in ("types", "values", "dump", "plugins") and args:
        return _usage(f"{command} takes no arguments")
    return handler()
