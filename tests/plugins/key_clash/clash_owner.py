"""Owns corpus.key_clash.Shared."""

from typehost import Object, py_class

__plugin__ = {"name": "clash_owner", "version": "1.0"}


@py_class("corpus.key_clash.Shared")
class Shared(Object):
    x: int = 0
