"""The dataclasses-style functions over registered classes: fields(), asdict(), replace()."""

from __future__ import annotations

import copy
import dataclasses

from _typehost import Object

from ._fields import Field, FIELD


def _fields_of(class_or_instance):
    try:
        all_fields = class_or_instance.__dataclass_fields__
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") from None
    return all_fields


def fields(class_or_instance) -> tuple[Field, ...]:
    """The Field objects of a registered class or instance, inherited fields first."""
    cls = class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
    if not issubclass(cls, Object) and hasattr(cls, "__dataclass_fields__"):
        raise TypeError(f"must be called with a typehost class or instance: {cls.__qualname__} is a plain "
                        "dataclass (dataclasses.fields() reads its fields)")
    return tuple(f for f in _fields_of(class_or_instance).values() if f._field_type is FIELD)


def asdict(obj, *, dict_factory=dict):
    """Recursively converts a typehost object to a dict (lists, tuples and dicts inside too)."""
    if not isinstance(obj, Object):
        raise TypeError("asdict() should be called on typehost object instances")
    return _asdict_inner(obj, dict_factory, {})


def _asdict_inner(obj, dict_factory, seen):
    from typehost._views import Dict, List
    if isinstance(obj, Object) and hasattr(type(obj), "__dataclass_fields__"):
        if id(obj) in seen:
            raise ValueError("asdict() of a cyclic object graph")
        seen[id(obj)] = True
        try:
            return dict_factory([(f.name, _asdict_inner(getattr(obj, f.name), dict_factory, seen))
                                 for f in fields(obj)])
        finally:
            del seen[id(obj)]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_asdict_inner(v, dict_factory, seen) for v in obj])
    if isinstance(obj, (list, List)):
        return [_asdict_inner(v, dict_factory, seen) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_asdict_inner(v, dict_factory, seen) for v in obj)
    if isinstance(obj, (dict, Dict)):
        return {_asdict_inner(k, dict_factory, seen): _asdict_inner(v, dict_factory, seen)
                for k, v in obj.items()}
    return copy.deepcopy(obj)


def replace(obj, /, **changes):
    """A new object of the same class with some fields changed (runs __init__/__post_init__)."""
    return dataclasses.replace(obj, **changes)
