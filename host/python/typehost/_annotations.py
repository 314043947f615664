"""Annotations -> canonical schema text: evaluating annotations in the class's scope (a name
that is not defined yet makes the class wait), type keys, ClassVar/InitVar/KW_ONLY markers in
string annotations as dataclasses finds them, and the schema each Python type maps to."""

from __future__ import annotations

import builtins
import dataclasses
import enum
import re
import sys
import types
import typing
from dataclasses import KW_ONLY, InitVar

import _typehost
from _typehost import Object, RegistrationError

from ._registration import intended_key, state


class MissingName(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _KeyRef:
    """A type key in an annotation, so that "geo.Point" evaluates to a key. An undotted name
    that is neither in scope nor a key (known=False) is a missing name: the class waits for it.
    A dotted name is a key even when nothing is registered under it yet: the registry keeps it
    as a forward reference (it may come from a plugin loaded later)."""

    def __init__(self, key: str, known: bool = True):
        self.key = key
        self.known = known

    def __getattr__(self, name: str) -> "_KeyRef":
        if name.startswith("__"):
            raise AttributeError(name)
        return _KeyRef(self.key + "." + name)

    def __or__(self, other):
        return typing.Union[self, other]  # type: ignore[valid-type]

    def __ror__(self, other):
        return typing.Union[other, self]  # type: ignore[valid-type]

    def __call__(self, *args, **kwargs):  # lets typing accept it as a type argument
        raise TypeError(f"{self.key} is a type key")

    def __repr__(self):
        return self.key


class _Scope(dict):
    """eval() namespace: the defining module's globals, then the defining scope's locals,
    then registered type keys (see docs/python-api.md)."""

    def __init__(self, cls: type, module_globals: dict, local_ns: dict | None):
        super().__init__()
        self._cls = cls
        self._globals = module_globals
        self._locals = local_ns or {}

    def __missing__(self, name: str):
        if name in self._globals:
            return self._globals[name]
        if name in self._locals:
            return self._locals[name]
        if name == self._cls.__name__:
            return self._cls
        # A class decorated in the same scope whose name is not bound yet (the decorator runs
        # before the class statement assigns it): forward references complete here.
        scope = self._cls.__qualname__.rpartition(".")[0]
        sibling = state.sibling(self._cls.__module__, f"{scope}.{name}" if scope else name)
        if sibling is not None:
            return sibling
        if hasattr(builtins, name):
            return getattr(builtins, name)
        if name in ("typing", "Optional", "Union", "List", "Dict", "Tuple", "Any", "Literal"):
            return typing if name == "typing" else getattr(typing, name)
        prefix = name + "."
        for key in _typehost.type_keys():
            if key == name or key.startswith(prefix):
                return _KeyRef(name)
        for cls in state.waiting_classes():
            key = intended_key(cls)
            if key == name or key.startswith(prefix):
                return _KeyRef(name)
        return _KeyRef(name, known=False)


def is_classvar(tp) -> bool:
    return tp is typing.ClassVar or typing.get_origin(tp) is typing.ClassVar


def is_initvar(tp) -> bool:
    return tp is InitVar or isinstance(tp, InitVar)


def is_kw_only(tp) -> bool:
    return tp is KW_ONLY


class Context:
    """What resolving one class's annotations needs and produces."""

    def __init__(self, cls: type, key: str, module_globals: dict, local_ns: dict | None):
        self.cls = cls
        self.key = key
        self.scope = _Scope(cls, module_globals, local_ns)
        self.module_globals = module_globals
        self.enums: dict[str, type] = {}


def evaluate(annotation, ctx: Context, field_name: str):
    """The annotation as an object; strings are evaluated in the class's scope."""
    if isinstance(annotation, str):
        text = annotation.strip()
        try:
            return eval(text, {"__builtins__": builtins}, ctx.scope)  # noqa: S307 - annotations
        except MissingName:
            raise
        except NameError as e:  # a name in a nested expression
            raise MissingName(getattr(e, "name", None) or str(e)) from None
        except Exception as e:
            if getattr(e, "typehost_key", None):  # typehost.types.geo.Later: not registered yet
                raise MissingName(e.typehost_key) from None  # type: ignore[attr-defined]
            raise RegistrationError(
                f"{ctx.cls.__qualname__}.{field_name}: invalid annotation {annotation!r}: "
                f"{type(e).__name__}: {e}") from None
    if isinstance(annotation, typing.ForwardRef):
        return evaluate(annotation.__forward_arg__, ctx, field_name)
    return annotation


def enum_key(tp: type) -> str:
    return f"{tp.__module__}.{tp.__qualname__}"


def annotation_schema(tp, ctx: Context, field_name: str, text: str) -> str:
    def fail(why: str):
        raise RegistrationError(
            f"{ctx.cls.__qualname__}.{field_name}: unsupported annotation {text!r}: {why}")

    def sub(t) -> str:
        if isinstance(t, (str, typing.ForwardRef)):
            t = evaluate(t, ctx, field_name)
        return annotation_schema(t, ctx, field_name, text)

    if tp is typing.Any or tp is object:
        return "Any"
    if tp is None or tp is type(None):
        return "None"
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if tp is str:
        return "str"
    if tp is bytes:
        return "bytes"
    if tp is list or tp is typing.List:
        return "list[Any]"
    if tp is dict or tp is typing.Dict:
        return "dict[str, Any]"
    if tp is tuple or tp is typing.Tuple:
        return "tuple[Any, ...]"
    if tp is Object:
        return "Object"
    if isinstance(tp, _KeyRef):
        if not tp.known and "." not in tp.key:
            raise MissingName(tp.key)
        return tp.key
    if isinstance(tp, type):
        if issubclass(tp, Object):
            if tp is ctx.cls:
                return ctx.key
            key = _typehost._registered_class_key(tp) or intended_key(tp)
            if key is None:
                fail(f"{tp.__qualname__} is not a registered type (decorate it with @py_class)")
            return key
        if issubclass(tp, enum.Enum):
            key = _typehost._key_of(tp) or enum_key(tp)
            if _typehost._key_of(tp) is None:
                for m in tp:
                    if isinstance(m.value, bool) or not isinstance(m.value, (int, str)):
                        fail(f"enum {tp.__qualname__} member {m.name} has a {type(m.value).__name__}"
                             " value; only str and int values are supported")
                ctx.enums[key] = tp
            return key
        from ._interop import opaque_schema
        opaque = opaque_schema(tp, sub)
        if opaque is not None:
            return opaque
        fail(f"{tp.__qualname__} is not a type typehost can store")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return sub(args[0])
    if origin is list:
        return f"list[{sub(args[0])}]" if args else "list[Any]"
    if origin is dict:
        if not args:
            return "dict[str, Any]"
        if args[0] is str:
            return f"dict[str, {sub(args[1])}]"
        if args[0] is int:
            return f"dict[int, {sub(args[1])}]"
        fail("dict keys must be str or int")
    if origin is tuple:
        if not args:
            return "tuple[()]" if tp == tuple[()] else "tuple[Any, ...]"
        if args == ((),):
            return "tuple[()]"
        if len(args) == 2 and args[1] is Ellipsis:
            return f"tuple[{sub(args[0])}, ...]"
        return "tuple[" + ", ".join(sub(a) for a in args) + "]"
    if origin is typing.Union or origin is types.UnionType:
        members = [a for a in args if a is not type(None)]
        inner = sub(members[0]) if len(members) == 1 else "Union[" + ", ".join(sub(a) for a in members) + "]"
        return f"Optional[{inner}]" if len(members) < len(args) else inner
    if origin is typing.Literal:
        parts = []
        for v in args:
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                fail(f"Literal values must be str or int, not {type(v).__name__}")
            parts.append(repr(v))
        return _typehost._parse_schema("Literal[" + ", ".join(parts) + "]")
    if origin is typing.ClassVar or is_initvar(tp):
        fail("ClassVar and InitVar cannot be nested")
    fail(f"{tp!r} is not a type typehost can store")


# "module.Name" at the start of a string annotation: only the start matters, as for dataclasses
# (its _MODULE_IDENTIFIER_RE).
_MARKER_START = re.compile(r"^(?:\s*(\w+)\s*\.)?\s*(\w+)")


_MARKER_MODULES = {"KW_ONLY": ("dataclasses", "typehost"), "ClassVar": ("typing",),
                   "InitVar": ("dataclasses", "typehost")}


_MARKERS = {"KW_ONLY": KW_ONLY, "ClassVar": typing.ClassVar, "InitVar": InitVar}


def string_marker(annotation: str, cls):
    """KW_ONLY, ClassVar or InitVar for a string annotation that names one, as dataclasses
    tells them: "ClassVar[int]", "typing.ClassVar[int]", "typing .ClassVar[int]", or through a
    module alias of the class's module ("t.ClassVar" after import typing as t); else None."""
    m = _MARKER_START.match(annotation)
    if m is None:
        return None
    module, name = m.group(1), m.group(2)
    ns = getattr(sys.modules.get(cls.__module__), "__dict__", {})
    # dataclasses' own rule: the name's value in the class's module is the marker (an alias
    # such as CV = ClassVar[int], written "CV"), with a module prefix naming typing/dataclasses.
    if module is None or ns.get(module) in (typing, dataclasses, sys.modules.get("typehost")):
        value = ns.get(name)
        if is_classvar(value):
            return typing.ClassVar
        if is_initvar(value):
            return value
        if value is KW_ONLY and annotation.strip() == name:
            return KW_ONLY
    # Also the marker's own name with or without its module (typing.ClassVar after only
    # `import typing`, or through a module alias), where dataclasses would need the bare name.
    if name not in _MARKERS:
        return None
    if name == "KW_ONLY" and annotation.strip() != name and "[" in annotation:
        return None
    if module is not None:
        target = ns.get(module)
        names = _MARKER_MODULES[name]
        if not (module in names or getattr(target, "__name__", None) in names):
            return None
    return _MARKERS[name]


def annotation_text(tp) -> str:
    if isinstance(tp, type):
        return tp.__qualname__
    return repr(tp).replace("typing.", "")
