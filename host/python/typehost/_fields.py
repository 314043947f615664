"""Field and field(): dataclasses.Field plus the canonical schema text and a doc string;
the dataclasses field kinds; metadata and default texts for type descriptions."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import MISSING



FIELD = dataclasses._FIELD  # type: ignore[attr-defined]


FIELD_CLASSVAR = dataclasses._FIELD_CLASSVAR  # type: ignore[attr-defined]


FIELD_INITVAR = dataclasses._FIELD_INITVAR  # type: ignore[attr-defined]


HAS_DEFAULT_FACTORY = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]


class Field(dataclasses.Field):
    """A field of a registered type: dataclasses.Field plus the canonical schema text and doc."""

    __slots__ = ("schema", "doc")

    def __init__(self, default, default_factory, init, repr, hash, compare, metadata, kw_only,
                 doc=None):
        super().__init__(default, default_factory, init, repr, hash, compare, metadata, kw_only)
        self.schema = None
        self.doc = doc

    def __repr__(self):
        return (f"Field(name={self.name!r}, type={self.type!r}, schema={self.schema!r}, "
                f"default={self.default!r}, default_factory={self.default_factory!r}, "
                f"init={self.init!r}, repr={self.repr!r}, hash={self.hash!r}, "
                f"compare={self.compare!r}, kw_only={self.kw_only!r}, doc={self.doc!r}, "
                f"metadata={self.metadata!r})")


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None,
          compare=True, kw_only=MISSING, doc=None, metadata=None):
    """Describes one field of a @py_class, like dataclasses.field, plus a doc string."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only, doc)


def from_dataclasses_field(f: dataclasses.Field) -> Field:
    # A view of the same metadata mapping (dataclasses keeps a live read-only view, not a copy).
    empty = f.metadata is dataclasses._EMPTY_METADATA  # type: ignore[attr-defined]
    return Field(f.default, f.default_factory, f.init, f.repr, f.hash, f.compare,
                 None if empty else f.metadata, f.kw_only)


def metadata_json(f: Field) -> str:
    """The metadata as JSON text for type descriptions; any mapping (also one without keys(),
    which dataclasses accepts), values JSON cannot hold as their repr."""
    if not f.metadata:
        return ""
    try:
        items = {str(k): f.metadata[k] for k in f.metadata}
    except Exception:  # noqa: BLE001 - a mapping that cannot be iterated: described by repr
        return json.dumps({"repr": safe_repr(f.metadata)})
    try:
        return json.dumps(items, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return json.dumps({k: safe_repr(v) for k, v in items.items()}, sort_keys=True)


def safe_repr(value) -> str:
    """repr(value) for type descriptions; "" when the object's __repr__ fails (the description
    then falls back to a text made from the stored value)."""
    try:
        text = repr(value)
    except Exception:
        return ""
    if not isinstance(text, str):
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate from a custom __repr__
        return ""
    return text
