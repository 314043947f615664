"""mypy plugin for typehost: @typehost.py_class classes are dataclasses to mypy.

mypy 1.1 and later read typing.dataclass_transform (PEP 681) from typehost's stub and need no
plugin; before that (Debian 12 has mypy 1.0.1) mypy sees no __init__ parameters at all. This
plugin hands py_class to mypy's own dataclasses plugin, as pydantic and attrs do. Enable it:

    [mypy]
    plugins = typehost.mypy_plugin

with this package's directory on the PYTHONPATH of the python3 that runs mypy (or name the path
of this file instead). It is pure Python and needs neither the host nor _typehost: typehost's
__init__ lets a plain python3 import it while mypy is loaded.
"""

from __future__ import annotations

from typing import Callable

from mypy.plugin import ClassDefContext, Plugin
from mypy.plugins import dataclasses as mypy_dataclasses
from mypy.version import __version__ as mypy_version

DECORATORS = {"typehost.py_class", "typehost._decorator.py_class"}
FIELD_SPECIFIERS = {"typehost.field", "typehost._fields.field"}


def _knows_dataclass_transform() -> bool:
    major, minor = (int(p) for p in mypy_version.split("+")[0].split(".")[:2])
    return (major, minor) >= (1, 1)


class TypehostPlugin(Plugin):
    def get_class_decorator_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return mypy_dataclasses.dataclass_tag_callback if fullname in DECORATORS else None

    def get_class_decorator_hook_2(self, fullname: str) -> Callable[[ClassDefContext], bool] | None:
        return mypy_dataclasses.dataclass_class_maker_callback if fullname in DECORATORS else None


class _NoOp(Plugin):
    pass


def plugin(version: str) -> type[Plugin]:
    if _knows_dataclass_transform():
        return _NoOp
    # typehost.field(...) is a field specifier like dataclasses.field (init=, kw_only=, defaults).
    mypy_dataclasses.field_makers.update(FIELD_SPECIFIERS)  # type: ignore[attr-defined]
    return TypehostPlugin
