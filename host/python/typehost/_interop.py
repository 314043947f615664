"""Python classes that cross the boundary without being registered types.

- typing.NamedTuple classes: stored as a tuple of their field types, read back as the
  NamedTuple. Schema text: Opaque['module.Class', tuple[A, B]].
- Opaque classes: a class with to_dict()/from_dict() or to_list()/from_list(), or a pydantic
  BaseModel. Stored as its plain dict/list form (so JSON and the UI see it), read back as
  Cls.from_dict(...) (a new object on every read). Schema text: Opaque['module.Class'].

See docs/types.md for the table of what a field may hold.
"""

from __future__ import annotations

import json
import operator
import sys
import typing

import _typehost

__all__ = ["opaque_schema", "class_name", "annotation_of"]


def class_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def is_named_tuple(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields") and hasattr(cls, "_make")


def _pydantic_base():
    pydantic = sys.modules.get("pydantic")  # never import it just to ask
    return getattr(pydantic, "BaseModel", None) if pydantic is not None else None


def _adapters(cls: type):
    """(dump, load) for an opaque class, or None if cls is not one."""
    base = _pydantic_base()
    if base is not None and issubclass(cls, base):
        if hasattr(cls, "model_dump"):  # pydantic 2
            return (lambda obj: obj.model_dump(mode="json")), cls.model_validate
        # pydantic 1: .json() gives the JSON-ready form (datetimes as text, ...)
        return (lambda obj: json.loads(obj.json())), cls.parse_obj
    for suffix in ("dict", "list"):
        to, frm = getattr(cls, "to_" + suffix, None), getattr(cls, "from_" + suffix, None)
        if callable(to) and callable(frm):
            return operator.methodcaller("to_" + suffix), frm
    return None


def opaque_schema(cls: type, sub: typing.Callable[[object], str]) -> str | None:
    """The schema text for a NamedTuple or opaque class (registering it with the host), or
    None when cls is neither. sub turns a field annotation into schema text."""
    name = class_name(cls)
    quoted = _typehost._parse_schema("Literal[" + repr(name) + "]")[len("Literal["):-1]
    if is_named_tuple(cls):
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - unresolvable names: fall back to the raw annotations
            hints = dict(getattr(cls, "__annotations__", {}))
        shape = [sub(hints.get(f, typing.Any)) for f in cls._fields]
        text = f"Opaque[{quoted}, tuple[{', '.join(shape)}]]" if shape else f"Opaque[{quoted}, tuple[()]]"
        _typehost._register_opaque(name, cls, tuple, cls._make)
        opaque_classes[name] = cls
        return _typehost._parse_schema(text)
    adapters = _adapters(cls)
    if adapters is None:
        return None
    _typehost._register_opaque(name, cls, *adapters)
    opaque_classes[name] = cls
    return _typehost._parse_schema(f"Opaque[{quoted}]")


# Opaque class names this process has seen, for annotations of native fields.
opaque_classes: dict[str, type] = {}


def annotation_of(schema: str):
    """The Python annotation for canonical schema text, as a checker or get_type_hints would
    want it: registered types as their classes, Opaque as the class when it is known."""
    return _annotation(_typehost._schema_tree(schema))


_SCALARS = {"any": typing.Any, "none": None, "bool": bool, "int": int, "float": float, "str": str,
            "bytes": bytes}


def _annotation(tree: tuple):
    kind = tree[0]
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "object":
        return _typehost.Object
    if kind == "list":
        return list[_annotation(tree[1])]  # type: ignore[misc]
    if kind == "dict_str":
        return dict[str, _annotation(tree[1])]  # type: ignore[misc]
    if kind == "dict_int":
        return dict[int, _annotation(tree[1])]  # type: ignore[misc]
    if kind == "tuple_var":
        return tuple[_annotation(tree[1]), ...]  # type: ignore[misc]
    if kind == "tuple":
        return tuple[tuple(_annotation(t) for t in tree[1])] if tree[1] else tuple[()]  # type: ignore[misc]
    if kind == "optional":
        return typing.Optional[_annotation(tree[1])]
    if kind == "union":
        return typing.Union[tuple(_annotation(t) for t in tree[1])]
    if kind == "literal":
        return typing.Literal[tuple(tree[1])]  # type: ignore[misc]
    if kind == "named":
        try:
            return _typehost._get_class(tree[1])
        except (KeyError, TypeError):  # not registered yet, or a native enum without a class
            return tree[1]
    if kind == "opaque":
        return opaque_classes.get(tree[1], typing.Any)
    raise ValueError(f"unknown schema kind {kind!r}")
