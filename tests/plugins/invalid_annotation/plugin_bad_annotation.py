"""A valid type followed by one whose annotation typehost cannot store."""

from typehost import Object, py_class

__plugin__ = {"name": "plugin_bad_annotation", "version": "1.0"}


@py_class("corpus.invalid_annotation.Good")
class Good(Object):
    x: int = 0


@py_class("corpus.invalid_annotation.Bad")
class Bad(Object):
    values: set[int]
