"""Registers a type of its own, then tries to take clash_owner's key (after it, by requires)."""

from typehost import Object, py_class

__plugin__ = {"name": "clash_thief", "version": "1.0", "requires": ["clash_owner"]}


@py_class("corpus.key_clash.Own")
class Own(Object):
    y: int = 0


@py_class("corpus.key_clash.Shared")
class Shared(Object):
    stolen: str = ""
