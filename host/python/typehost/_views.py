"""typehost.List and typehost.Dict: live, validating views on C++ containers."""

from __future__ import annotations

import dataclasses
import operator
import sys
from collections.abc import ItemsView, MutableMapping, MutableSequence, ValuesView

import _typehost

# dataclasses.asdict/astuple recurse into list, tuple and dict but deep-copy anything else,
# views included: a view inside them must recurse like the plain container it stands for, or
# the objects it holds would stay objects instead of becoming dicts/tuples. They reach a view
# only through copy.deepcopy(view), so __deepcopy__ looks one call further up for them.
_DATACLASS_RECURSION = {
    getattr(dataclasses, name).__code__: (name, factory)
    for name, factory in (("_asdict_inner", "dict_factory"), ("_astuple_inner", "tuple_factory"))
    if hasattr(dataclasses, name)  # private functions: without them views just deep-copy
}


def _dataclass_recursion(view):
    """(recurse, factory) when copy.deepcopy(view) was called by dataclasses.asdict/astuple."""
    try:
        caller = sys._getframe(3)  # _dataclass_recursion <- __deepcopy__ <- copy.deepcopy <- caller
    except ValueError:  # called directly, near the bottom of the stack
        return None
    entry = _DATACLASS_RECURSION.get(caller.f_code)
    if entry is None or caller.f_locals.get("obj") is not view:
        return None
    name, factory = entry
    return getattr(dataclasses, name), caller.f_locals[factory]


class List(_typehost._ListBase, MutableSequence):
    """A live view on a typed C++ list. Every write is validated against the element type, and
    a write that fails leaves the list unchanged; reads always show the current contents.
    Compares equal to a list with equal items; `+` and `*` give plain lists."""

    __slots__ = ()

    def __deepcopy__(self, memo):
        """A plain list of deep copies (within dataclasses.asdict/astuple: their recursion)."""
        recursion = _dataclass_recursion(self)
        if recursion is None:
            return super().__deepcopy__(memo)
        recurse, factory = recursion
        return [recurse(v, factory) for v in self]

    def sort(self, *, key=None, reverse=False):
        items = list(self)
        items.sort(key=key, reverse=reverse)
        self[:] = items

    def __iadd__(self, values):
        self.extend(values)
        return self

    def __add__(self, other):
        if not isinstance(other, (list, List)):
            return NotImplemented
        return list(self) + list(other)

    def __radd__(self, other):
        if not isinstance(other, list):
            return NotImplemented
        return other + list(self)

    def __mul__(self, n):
        return list(self) * n

    __rmul__ = __mul__

    __hash__ = None  # type: ignore[assignment]


class _ItemsView(ItemsView):
    """Dict.items(): live (len, in) as collections.abc's; iterating reads one snapshot in C."""

    __slots__ = ()

    def __iter__(self):
        return iter(self._mapping._items())


class _ValuesView(ValuesView):
    """Dict.values(): live as collections.abc's; iterating reads one snapshot in C."""

    __slots__ = ()

    def __iter__(self):
        return iter(self._mapping._values())


class Dict(_typehost._DictBase, MutableMapping):
    """A live view on a typed C++ dict (str or int keys, insertion ordered). Every write is
    validated, and a write that fails leaves the dict unchanged."""

    __slots__ = ()

    def __deepcopy__(self, memo):
        """A plain dict of deep copies (within dataclasses.asdict/astuple: their recursion)."""
        recursion = _dataclass_recursion(self)
        if recursion is None:
            return super().__deepcopy__(memo)
        recurse, factory = recursion
        return {recurse(k, factory): recurse(v, factory) for k, v in self.items()}

    def items(self):
        return _ItemsView(self)

    def values(self):
        return _ValuesView(self)

    def update(self, other=(), /, **kwds):
        self._update(dict(other, **kwds))

    def popitem(self):
        """Removes and returns the last inserted (key, value) pair, as dict.popitem does."""
        keys = list(self)
        if not keys:
            raise KeyError("popitem(): dictionary is empty")
        return keys[-1], self.pop(keys[-1])

    def __reversed__(self):
        return reversed(list(self))

    def __or__(self, other):
        if not isinstance(other, (dict, Dict)):
            return NotImplemented
        merged = dict(self)
        merged.update(other)
        return merged

    def __ror__(self, other):
        if not isinstance(other, dict):
            return NotImplemented
        merged = dict(other)
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self

    __hash__ = None  # type: ignore[assignment]


_typehost._set_view_classes(List, Dict)
