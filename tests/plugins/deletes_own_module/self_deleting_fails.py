"""Removes itself from sys.modules, registers a type, then fails."""

import sys

from typehost import Object, py_class

__plugin__ = {"name": "self_deleting_fails", "version": "1.0"}

del sys.modules[__name__]


@py_class("corpus.deletes_own_module.Failing")
class Failing(Object):
    x: int = 0


raise RuntimeError("self_deleting_fails fails after deleting its module")
