"""typehost.json_schema: JSON Schema (draft 2020-12) for the JSON format of docs/json-format.md.

The schema is built from the registry's type information and the canonical field schemas
(parsed by _typehost._schema_tree), so it describes exactly what from_json reads, except for
what JSON Schema cannot see (listed in docs/schemas-and-stubs.md): 1.0 is an integer to JSON
Schema but not to the reader, duplicate keys never reach a validator, and the depth limit.
"""

from __future__ import annotations

import json

import _typehost

__all__ = ["json_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Helper definitions; their names start with "$", which no type key can.
ANY, OBJECT, BYTES, FLOAT = "$any", "$object", "$bytes", "$float"

# A str dict key that starts with "$" is written with one more "$" (so "$x" is invalid).
STR_KEY = {"pattern": "^(?!\\$(?!\\$))"}
BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


def _digits_up_to(bound: str) -> str:
    """A regex for decimal strings of len(bound) digits (no leading zero) that are <= bound."""
    n = len(bound)
    parts = []
    for i, ch in enumerate(bound):
        low = 1 if i == 0 else 0
        high = int(ch) - 1
        if high >= low:
            rest = n - i - 1
            parts.append(bound[:i] + (f"[{low}-{high}]" if high > low else str(low)) +
                         (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(bound)
    return "(?:" + "|".join(parts) + ")"


def _int_key_pattern() -> str:
    """Canonical decimal int64: no sign "+", no leading zeros, no "-0"."""
    short = "[1-9][0-9]{0,17}"
    return ("^(?:0|" + short + "|-" + short + "|" + _digits_up_to(str(INT64_MAX)) + "|-" +
            _digits_up_to(str(-INT64_MIN)) + ")$")


INT_KEY = {"pattern": _int_key_pattern()}


def _ref(name: str) -> dict:
    return {"$ref": "#/$defs/" + name}


class _Registry:
    """One consistent read of the registry: kinds, parents and infos by key."""

    def __init__(self):
        self.infos: dict[str, dict] = {}
        for key in _typehost.type_keys():
            try:
                self.infos[key] = _typehost._type_info(key)
            except (KeyError, TypeError):  # removed meanwhile
                continue

    def info(self, key: str) -> dict | None:
        if key not in self.infos:
            try:
                self.infos[key] = _typehost._type_info(key)
            except (KeyError, TypeError):
                return None
        return self.infos[key]

    def object_keys(self) -> list[str]:
        return sorted(k for k, i in self.infos.items() if i["kind"] == "object")

    def subtypes(self, key: str) -> list[str]:
        out = []
        for k in self.object_keys():
            parent = self.infos[k]["parent"]
            seen = set()
            while parent is not None and parent not in seen:
                if parent == key:
                    out.append(k)
                    break
                seen.add(parent)
                p = self.infos.get(parent)
                parent = p["parent"] if p else None
        return out


class _Generator:
    def __init__(self):
        self.registry = _Registry()
        self.defs: dict[str, object] = {}

    # -- helper definitions

    def _need(self, name: str) -> dict:
        if name not in self.defs:
            self.defs[name] = True  # reserve first: definitions refer to each other
            self.defs[name] = getattr(self, "_def_" + name[1:])()
        return _ref(name)

    def _def_float(self) -> dict:
        wrapper = {"type": "object", "properties": {"$float": {"enum": ["nan", "inf", "-inf"]}},
                   "required": ["$float"], "additionalProperties": False}
        return {"description": "a float: any JSON number, or {\"$float\": \"nan\" | \"inf\" | \"-inf\"}",
                "anyOf": [{"type": "number"}, wrapper]}

    def _def_bytes(self) -> dict:
        return {"description": "bytes: {\"$bytes\": standard base64 with padding}",
                "type": "object",
                "properties": {"$bytes": {"type": "string", "pattern": BASE64, "contentEncoding": "base64"}},
                "required": ["$bytes"], "additionalProperties": False}

    def _def_any(self) -> dict:
        anything = _ref(ANY)
        return {
            "description": "Any: null, bool, int, float, str, bytes, list, dict[str, Any] or a "
                           "registered object (with \"$type\")",
            "if": {"type": "object"},
            "then": {"anyOf": [
                {"required": ["$type"], **self._need(OBJECT)},
                self._need(BYTES),
                {"type": "object", **self._need(FLOAT)},
                {"propertyNames": STR_KEY, "additionalProperties": anything},
            ]},
            "else": {"anyOf": [
                {"type": ["null", "boolean", "number", "string"]},
                {"type": "array", "items": anything},
            ]},
        }

    def _def_object(self) -> dict:
        keys = self.registry.object_keys()
        for k in keys:
            self._define(k)
        return {
            "description": "any registered object: an object whose \"$type\" names its type",
            "type": "object",
            "required": ["$type"],
            "properties": {"$type": {"enum": keys}},
            "allOf": [{"if": {"properties": {"$type": {"const": k}}}, "then": _ref(k)} for k in keys],
        }

    # -- registered types

    def _define(self, key: str) -> None:
        if key in self.defs:
            return
        info = self.registry.info(key)
        if info is None:
            return
        self.defs[key] = True
        if info["kind"] == "enum":
            values = [v for _, v in info["members"]]
            d: dict = {"title": key}
            if info["doc"]:
                d["description"] = info["doc"]
            d["enum"] = values
            self.defs[key] = d
            return
        properties: dict = {"$type": {"const": key}}
        required = []
        for f in info["fields"]:
            p = dict(self.schema(_typehost._schema_tree(f["type"])))
            if f["doc"]:
                p["description"] = f["doc"]
            if f["has_default"] and (f["default"] is not None or f["python_default"] is None):
                p["default"] = f["default"]   # the JSON form (None for a default that has none)
            properties[f["name"]] = p
            if f["required"]:
                required.append(f["name"])
        d = {"title": key}
        if info["doc"]:
            d["description"] = info["doc"]
        d.update({"type": "object", "properties": properties, "additionalProperties": False})
        if required:
            d["required"] = required
        self.defs[key] = d

    def _named(self, key: str) -> dict:
        info = self.registry.info(key)
        if info is None:
            return {"$comment": f"type '{key}' is not registered", "not": {}}
        self._define(key)
        if info["kind"] == "enum":
            return _ref(key)
        subs = self.registry.subtypes(key)
        if not subs:
            return _ref(key)
        # Where a type is expected, its subtypes are read too: they must say "$type".
        for s in subs:
            self._define(s)
        return {"anyOf": [_ref(key)] + [{**_ref(s), "required": ["$type"]} for s in subs]}

    # -- schema trees (see _typehost._schema_tree)

    def schema(self, tree: tuple) -> dict:
        kind = tree[0]
        if kind == "any":
            return self._need(ANY)
        if kind == "none":
            return {"type": "null"}
        if kind == "bool":
            return {"type": "boolean"}
        if kind == "int":
            return {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}
        if kind == "float":
            return self._need(FLOAT)
        if kind == "str":
            return {"type": "string"}
        if kind == "bytes":
            return self._need(BYTES)
        if kind == "object":
            return self._need(OBJECT)
        if kind in ("list", "tuple_var"):
            return {"type": "array", "items": self.schema(tree[1])}
        if kind == "tuple":
            items = [self.schema(t) for t in tree[1]]
            if not items:
                return {"type": "array", "maxItems": 0}
            return {"type": "array", "prefixItems": items, "items": False, "minItems": len(items)}
        if kind == "dict_str":
            return {"type": "object", "propertyNames": STR_KEY, "additionalProperties": self.schema(tree[1])}
        if kind == "dict_int":
            return {"type": "object", "propertyNames": INT_KEY, "additionalProperties": self.schema(tree[1])}
        if kind == "optional":
            return {"anyOf": [{"type": "null"}, self.schema(tree[1])]}
        if kind == "union":
            return {"anyOf": [self.schema(t) for t in tree[1]]}
        if kind == "literal":
            values = list(tree[1])
            return {"const": values[0]} if len(values) == 1 else {"enum": values}
        if kind == "named":
            return self._named(tree[1])
        if kind == "opaque":
            name, shape = tree[1], tree[2]
            if shape is not None:
                return {"title": name, **self.schema(shape)}
            anything = self._need(ANY)
            return {"title": name, "anyOf": [
                {"type": "array", "items": anything},
                {"type": "object", "propertyNames": STR_KEY, "additionalProperties": anything},
            ]}
        raise ValueError(f"unknown schema kind {kind!r}")


def json_schema(cls_or_key=None) -> dict:
    """JSON Schema (draft 2020-12) of the documents from_json(text, cls_or_key) reads.

    cls_or_key: a registered class, a type key, or an annotation such as list[Point]; None
    describes from_json(text) without a type (Any) and defines every registered type. Types
    referenced are in "$defs" under their keys; helper definitions are named "$any",
    "$object", "$bytes" and "$float". The output is deterministic: no timestamps, "$defs" sorted.
    """
    from ._api import schema_of

    gen = _Generator()
    out: dict = {"$schema": DRAFT}
    if cls_or_key is None:
        out["title"] = "typehost registry"
        root = gen.schema(("any",))
        for key in sorted(gen.registry.infos):
            gen._define(key)
    else:
        # schema_of resolves names in its caller's caller: ours, as when called directly.
        text = schema_of(cls_or_key) if not isinstance(cls_or_key, str) else _text_of(cls_or_key)
        tree = _typehost._schema_tree(text)
        out["title"] = text
        if tree[0] == "named":
            info = gen.registry.info(tree[1])
            if info is not None and info["doc"]:
                out["description"] = info["doc"]
        root = gen.schema(tree)
    out.update(root)
    if gen.defs:
        out["$defs"] = {k: gen.defs[k] for k in sorted(gen.defs)}
    return out


def _text_of(key_or_text: str) -> str:
    """A type key or canonical schema text ("list[geo.Point]") as canonical text."""
    try:
        text = _typehost._parse_schema(key_or_text)
    except ValueError as e:
        raise KeyError(f"no registered type or schema {key_or_text!r}: {e}") from None
    tree = _typehost._schema_tree(text)
    if tree[0] == "named" and tree[1] not in _typehost.type_keys():
        raise KeyError(f"no registered type '{tree[1]}'")
    return text


def dumps(schema: dict) -> str:
    """The schema as text the way the CLI writes it: sorted keys, two-space indent."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

