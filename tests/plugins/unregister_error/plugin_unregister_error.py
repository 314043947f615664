"""Loads fine; unregister() raises. Unloading must still remove its types and modules."""

from typehost import Object, py_class

__plugin__ = {"name": "plugin_unregister_error", "version": "1.0"}


@py_class("corpus.unregister_error.Thing")
class Thing(Object):
    x: int = 0


def register():
    pass


def unregister():
    raise RuntimeError("unregister() of plugin_unregister_error fails on purpose")
