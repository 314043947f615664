"""A plugin with a syntax error: nothing of it may run."""

from typehost import Object, py_class

__plugin__ = {"name": "plugin_syntax", "version": "1.0"}


@py_class("corpus.syntax_error.Thing")
class Thing(Object):
    x: int = (
