"""Registered types by key: ``from typehost.types import geo`` then ``geo.Vec3`` is
``typehost.get_class("geo.Vec3")``.

This is the runtime side of the stubs ``typehost.stubs()`` writes (the stub of this module,
with one class per registered type nested in classes named after the key's parts), so code
that uses native types type-checks against committed stubs and runs against the registry:

    from typehost.types import geo

    @py_class("shapes.Point3")
    class Point3(geo.Vec3):
        label: str = ""

Names resolve when they are used, never cached: a redefined type is found as it is now. In
a @py_class annotation a name not registered yet is a forward reference: the class waits
for it, as for any other name.
Not supported: a key that is also the prefix of other keys ("geo" and "geo.Vec3") resolves
to the type, whose class has no attribute for the longer key.
"""

from __future__ import annotations

from typing import Any

import _typehost

__all__: list[str] = []


class Namespace:
    """The registered types whose keys start with ``prefix.``, as attributes."""

    __slots__ = ("_prefix",)

    def __init__(self, prefix: str):
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        return _resolve(self._prefix + "." + name)

    def __dir__(self):
        return sorted(_children(self._prefix + "."))

    def __repr__(self):
        return f"<typehost.types namespace {self._prefix!r}>"


def _children(prefix: str) -> set[str]:
    return {k[len(prefix):].split(".")[0] for k in _typehost.type_keys() if k.startswith(prefix)}


def _resolve(key: str) -> Any:
    if key.startswith("__") or ".__" in key:  # dunder lookups (copy, pickle, inspect)
        raise AttributeError(key)
    keys = _typehost.type_keys()
    if key in keys:
        return _typehost._get_class(key)
    prefix = key + "."
    if any(k.startswith(prefix) for k in keys):
        return Namespace(key)
    module, _, name = key.rpartition(".")
    where = f"namespace {module!r}" if module else "module 'typehost.types'"
    error = AttributeError(f"{where} has no registered type or namespace {name!r}")
    error.typehost_key = key  # type: ignore[attr-defined] # an annotation naming it waits for it
    raise error


def __getattr__(name: str) -> Any:
    return _resolve(name)


def __dir__() -> list[str]:
    return sorted(_children(""))
