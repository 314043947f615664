"""The commands that read the registry and the published values: types, show, values,
validate, dump, schema and stubs. Each takes the command's arguments and options, prints its
output (run_command sends it to stdout or -o FILE) and returns the exit status."""

from __future__ import annotations

import builtins
import json
import sys

import _typehost
import typehost

from .. import _api
from ._output import error, usage

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


def types(opts) -> int:
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


def show(args, opts) -> int:
    if len(args) != 1:
        return usage("show needs exactly one type KEY")
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


def values(args, opts) -> int:
    values = typehost.published()
    if args:   # only the values named, in the order given
        names = list(dict.fromkeys(args))
        unknown = [n for n in names if n not in values]
        if unknown:
            listed = ", ".join(f"'{n}'" for n in unknown)
            return error(f"no published value{'s' if len(unknown) > 1 else ''} {listed}")
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
        from .. import types as namespaces   # typehost.types (this module's types() is the command)
        try:
            return getattr(namespaces, name)
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
    for key in _api.named_keys(_typehost._schema_tree(canonical)):
        if key not in registered:
            raise KeyError(f"no registered type '{key}'")
    return canonical


def validate(args, opts) -> int:
    if len(args) != 2:
        return usage("validate needs a SCHEMA (a type KEY, or e.g. 'list[KEY]') and a FILE")
    given, path = args
    try:
        key = _schema_arg(given)
    except KeyError as e:
        return error(e.args[0])
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


def dump(opts) -> int:
    types = [json.loads(_typehost._describe(key)) for key in typehost.type_keys()]
    print(json.dumps({"types": types}, indent=2))
    return 0


def schema(args, opts) -> int:
    if len(args) > 1:
        return usage("schema takes at most one SCHEMA (a type KEY or e.g. 'list[KEY]')")
    from .._json_schema import dumps, json_schema
    try:
        schema = json_schema(_schema_arg(args[0]) if args else None)
    except KeyError as e:
        return error(e.args[0])
    sys.stdout.write(dumps(schema))
    return 0


def stubs(args, opts) -> int:
    if args:
        return usage("stubs takes no arguments (write to a file with -o FILE)")
    sys.stdout.write(typehost.stubs(self_contained=bool(opts.get("self_contained"))))
    return 0

