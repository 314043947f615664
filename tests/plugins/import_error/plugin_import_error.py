"""Registers a type, then raises while being imported: the type must be rolled back."""

from typehost import Object, py_class

__plugin__ = {"name": "plugin_import_error", "version": "1.0"}


@py_class("corpus.import_error.Thing")
class Thing(Object):
    x: int = 0


def broken():
    raise RuntimeError("plugin_import_error is broken on purpose")


broken()
