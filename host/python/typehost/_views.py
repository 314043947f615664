"""typehost.List and typehost.Dict: live, validating views on C++ containers."""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence

import _typehost


class List(_typehost._ListBase, MutableSequence):
    """A live view on a typed C++ list. Every write is validated against the element type;
    reads always show the current contents. Compares equal to a list with equal items."""

    __slots__ = ()

    def sort(self, *, key=None, reverse=False):
        items = list(self)
        items.sort(key=key, reverse=reverse)
        self[:] = items

    def __iadd__(self, values):
        self.extend(values)
        return self

    __hash__ = None  # type: ignore[assignment]


class Dict(_typehost._DictBase, MutableMapping):
    """A live view on a typed C++ dict (str or int keys, insertion ordered)."""

    __slots__ = ()

    def __or__(self, other):
        merged = dict(self)
        merged.update(other)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self

    __hash__ = None  # type: ignore[assignment]


_typehost._set_view_classes(List, Dict)
