"""Module-level functions of typehost: JSON, conversion, type information."""

from __future__ import annotations

import enum
import json
import sys
import typing
from dataclasses import MISSING, dataclass, field as _dc_field

import _typehost
from _typehost import Object, RegistrationError

from ._annotations import Context, MissingName, enum_key, evaluate, annotation_schema
from ._dataclass_api import fields
from ._fields import Field, field

__all__ = ["to_json", "from_json", "to_builtins", "convert", "type_info", "TypeInfo", "get_class",
           "schema_of", "migrate"]


def schema_of(cls) -> str:
    """Canonical schema text for a class or annotation (Point, list[Point], list["Point"]) or
    for schema text ("geo.Point", "list[geo.Point]"). A name that is not defined raises
    NameError, a type key that is not registered KeyError."""
    return _schema_text(cls, sys._getframe(1).f_globals)


def named_keys(tree: tuple):
    """The type keys a schema tree (_typehost._schema_tree) names."""
    kind = tree[0]
    if kind == "named":
        yield tree[1]
    elif kind in ("list", "tuple_var", "dict_str", "dict_int", "optional"):
        yield from named_keys(tree[1])
    elif kind in ("tuple", "union"):
        for t in tree[1]:
            yield from named_keys(t)
    elif kind == "opaque" and tree[2] is not None:
        yield from named_keys(tree[2])


def _registered(key: str) -> bool:
    try:
        _typehost._key_of(key)
    except KeyError:
        return False
    return True


def _schema_text(cls, scope: dict) -> str:
    """schema_of() with the globals that names in cls are looked up in (the caller's)."""
    unknown = None   # schema text naming a key that is not registered
    if isinstance(cls, str):
        try:
            canonical = _typehost._parse_schema(cls)
        except ValueError:
            canonical = None   # not schema text: a Python annotation in a string ("list[Point]")
        if canonical is not None:
            unknown = next((k for k in named_keys(_typehost._schema_tree(canonical))
                            if not _registered(k)), None)
            if unknown is None:
                return canonical
    if cls is None or cls is typing.Any:
        return "Any" if cls is not None else "None"
    ctx = Context(Object, "", scope, None)
    try:
        value = evaluate(cls, ctx, "<value>")
        text = annotation_schema(value, ctx, "<value>", str(cls))
    except MissingName as e:
        if unknown is not None:   # "list[exp.Nope]": the key is what is missing
            raise KeyError(f"no registered type '{unknown}' in '{cls}'") from None
        raise NameError(f"name '{e.name}' is not defined (in the annotation {cls!r}: neither a name in scope "
                        "nor a registered type key)", name=e.name) from None
    except RegistrationError as e:
        if unknown is not None:
            raise KeyError(f"no registered type '{unknown}' in '{cls}'") from None
        raise TypeError(f"not a schema or annotation: {cls!r} ({str(e).removeprefix('Object.<value>: ')})") from None
    missing = next((k for k in named_keys(_typehost._schema_tree(text)) if not _registered(k)), None)
    if missing is not None:   # a dotted key that a class field could wait for; here it must exist
        raise KeyError(f"no registered type '{missing}' in {cls!r}")
    if ctx.enums:
        raise TypeError(f"enum {', '.join(ctx.enums)} is not registered: use it in a @py_class field first")
    return text


def to_json(value, *, indent: int | None = None) -> str:
    """JSON text of a value (objects, containers, scalars), in the format of docs/json-format.md."""
    return _typehost._to_json(value, indent)


def from_json(text, cls=None):
    """Reads JSON text (str or bytes) as a value of cls (a class, or e.g. list[Point]); without
    cls, objects are read by their "$type". Raises ValidationError with .path on bad input."""
    return _typehost._from_json(text, "Any" if cls is None else _schema_text(cls, sys._getframe(1).f_globals))


def to_builtins(value):
    """The JSON shape of a value as plain Python data (dicts with "$type", "$bytes", ...)."""
    return json.loads(_typehost._to_json(value, None))


def _typed_builtins(value):
    # json.dumps's hook for typed values inside plain data: their to_builtins shape (to_json
    # refuses a stale instance, with a message that says so).
    if isinstance(value, (Object, _typehost._ListBase, _typehost._DictBase)):
        return to_builtins(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def convert(data, cls=None):
    """Builds typed values from plain data of the to_builtins shape; the inverse of to_builtins.
    Typed values inside the data are taken in their to_builtins shape (copied)."""
    try:
        text = json.dumps(data, allow_nan=False, default=_typed_builtins)
    except (TypeError, ValueError) as e:
        if isinstance(e, _typehost.ValidationError):
            raise
        raise _typehost.ValidationError(f"cannot convert {type(data).__name__}: {e}") from None
    return from_json(text, cls)


def migrate(value):
    """The current version of a value made before its type was redefined or its plugin
    reloaded: a stale instance becomes an instance of the current class (fields carried over
    by name and validated, new fields take their defaults), a stale enum member the current
    member of the same name; containers are migrated in place (plain lists, tuples and dicts
    are rebuilt). Values that are already current are returned as they are. Raises
    ValidationError, changing nothing, when the value does not fit the current version
    (a field it sets was dropped or retyped, a new field has no default, the type is gone)."""
    if isinstance(value, enum.Enum):
        return _current_member(value)
    if type(value) in (list, tuple):
        return type(value)(migrate(v) for v in value)
    if type(value) is dict:
        return {k: migrate(v) for k, v in value.items()}
    out = _typehost._migrate(value)
    return value if out is None else out


def _current_member(member: enum.Enum):
    cls = type(member)
    key = _typehost._key_of(cls) or enum_key(cls)
    try:
        current = get_class(key)
    except (KeyError, TypeError):
        return member   # not a registered enum
    if current is cls or not isinstance(current, type) or not issubclass(current, enum.Enum):
        return member
    try:
        return current[member.name]
    except KeyError:
        raise _typehost.ValidationError(f"cannot migrate {member!r}: the current {key} has no member "
                                        f"{member.name!r}") from None


def _make_type_info_class():
    # Made on first use (module __getattr__ below): a frozen dataclass is ~1.4 ms of code
    # generation, which commands that never ask for a TypeInfo need not pay at start-up.
    @dataclass(frozen=True)
    class TypeInfo:
        """What the registry knows about one type."""

        key: str
        index: int
        generation: int
        kind: str
        parent: str | None
        origin: str
        plugin: str | None
        owner: str
        doc: str
        stale: bool
        frozen: bool
        file: str
        line: int
        fields: tuple
        members: tuple
        hashable: bool = True
        _description: str = _dc_field(default="{}", repr=False, compare=False)

        def describe(self) -> dict:
            """The type's description: the JSON object `typehost-headless show --json` prints, one
            element of `dump`'s and the UI export's "types" (docs/json-format.md, "Type
            descriptions"). Defaults are JSON values plus their Python repr; flags are booleans."""
            return json.loads(self._description)

        def __repr__(self):
            return (f"TypeInfo(key={self.key!r}, origin={self.origin!r}, plugin={self.plugin!r}, "
                    f"fields={[f.name for f in self.fields]!r}, stale={self.stale!r})")

    TypeInfo.__qualname__ = "TypeInfo"
    return TypeInfo


_TypeInfo = None


def type_info_class():
    global _TypeInfo
    if _TypeInfo is None:
        _TypeInfo = _make_type_info_class()
    return _TypeInfo


def __getattr__(name):
    if name == "TypeInfo":
        return type_info_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fields_from_info(info: dict) -> tuple:
    out = []
    for fd in info["fields"]:
        f = field(default=fd["python_default"] if fd["has_default"] else MISSING, init=fd["init"],
                  repr=fd["repr"], hash=fd["hash_option"], compare=fd["compare"], kw_only=fd["kw_only"],
                  doc=fd["doc"] or None, metadata=fd["metadata"])
        f.name = fd["name"]
        f.type = fd["annotation"]
        f.schema = fd["type"]
        out.append(f)
    return tuple(out)


def type_info(what) -> TypeInfo:
    """Type information for a registered class, a type key or an instance."""
    info = _typehost._type_info(what)   # the description (show --json) plus live Python defaults
    text = _typehost._describe(what)
    owner = info["owner"]
    cls = None
    if info["kind"] == "object":
        if isinstance(what, type) and issubclass(what, Object):
            cls = what
        elif isinstance(what, Object):
            cls = type(what)
        elif not info["stale"]:
            cls = _typehost._get_class(info["key"])
    if cls is not None and hasattr(cls, "__dataclass_fields__") and _typehost._key_of(cls) == info["key"]:
        field_objs = fields(cls)
    else:
        field_objs = _fields_from_info(info)
    return type_info_class()(info["key"], info["index"], info["generation"], info["kind"], info["parent"],
                    info["origin"], info["plugin"], owner, info["doc"], info["stale"], info["frozen"],
                    info["file"], info["line"], field_objs, tuple(tuple(m) for m in info["members"]),
                    info["hashable"], text)


def get_class(key: str):
    """The Python class of any registered type (native types get a generated class)."""
    return _typehost._get_class(key)
