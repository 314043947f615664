"""Registers a type at import and another in register(), then register() raises."""

from typehost import Object, py_class

__plugin__ = {"name": "plugin_register_error", "version": "1.0"}


@py_class("corpus.register_error.AtImport")
class AtImport(Object):
    x: int = 0


def register():
    @py_class("corpus.register_error.InRegister")
    class InRegister(Object):
        y: str = ""

    raise ValueError("register() of plugin_register_error fails on purpose")
