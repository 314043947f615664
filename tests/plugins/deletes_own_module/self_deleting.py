"""Removes itself from sys.modules while importing, then registers a type."""

import sys

from typehost import Object, py_class

__plugin__ = {"name": "self_deleting", "version": "1.0"}

del sys.modules[__name__]


@py_class("corpus.deletes_own_module.Thing")
class Thing(Object):
    x: int = 0


def register():
    sys.modules.pop(__name__, None)


def unregister():
    sys.modules.pop(__name__, None)
