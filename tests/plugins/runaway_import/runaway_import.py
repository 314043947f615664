"""Registers a type, then never finishes importing."""

from typehost import Object, py_class

__plugin__ = {"name": "runaway_import"}


@py_class("corpus.runaway_import.Thing")
class Thing(Object):
    x: int = 0


while True:
    pass
