"""Imports fine; register() registers a type and then loops, swallowing what it can."""

from typehost import Object, py_class

__plugin__ = {"name": "runaway_register"}


@py_class("corpus.runaway_register.AtImport")
class AtImport(Object):
    x: int = 0


def register():
    @py_class("corpus.runaway_register.InRegister")
    class InRegister(Object):
        y: int = 0

    while True:
        try:
            while True:
                pass
        except Exception:  # the plugin timeout is not an Exception: this cannot swallow it
            pass
