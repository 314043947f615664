"""@py_class: turns an annotated subclass of typehost.Object into a registered type.

The class analysis (fields, defaults, KW_ONLY, InitVar, inheritance, the eq/frozen/hash
table) follows the standard dataclasses module and its error messages. Everything that runs
per instance (__init__, field access, eq, hash, repr) is C code in the host.
"""

from __future__ import annotations

import abc
import builtins
import copy
import dataclasses
import enum
import inspect
import json
import keyword
import re
import sys
import types
import typing
from dataclasses import KW_ONLY, MISSING, FrozenInstanceError, InitVar

import _typehost
from _typehost import Object, RegistrationError

__all__ = ["py_class", "field", "Field", "fields", "asdict", "replace", "KW_ONLY", "MISSING",
           "InitVar", "FrozenInstanceError"]

_FIELD = dataclasses._FIELD  # type: ignore[attr-defined]
_FIELD_CLASSVAR = dataclasses._FIELD_CLASSVAR  # type: ignore[attr-defined]
_FIELD_INITVAR = dataclasses._FIELD_INITVAR  # type: ignore[attr-defined]
_HAS_DEFAULT_FACTORY = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]

# The owner new registrations belong to, on every thread: set by hand (tests); the plugin
# manager never sets it.
_current_plugin: str | None = None

# The plugin manager's owner hook (set_owner_hook): given a class decorated now, the owner it
# belongs to ("plugin:<name>"), or None when the hook has nothing to say (no plugin code runs
# on this thread); then _current_plugin, then the class's module decide.
_owner_hook = None


def set_owner_hook(hook) -> None:
    """Registers the function that names the owner of a class decorated now (None removes it).
    The plugin manager registers one: the per-thread plugin context and which plugin defines
    which module live there."""
    global _owner_hook
    if hook is not None and not callable(hook):
        raise TypeError(f"the owner hook must be callable or None, got {hook!r}")
    _owner_hook = hook


def _owner_for(cls: type) -> str:
    """The owner of a class decorated now: the owner hook's answer, else the plugin set by hand
    (_current_plugin), else "module:<the class's module>"."""
    if _owner_hook is not None:
        owner = _owner_hook(cls)
        if owner is not None:
            return owner
    if _current_plugin is not None:
        return "plugin:" + _current_plugin
    return "module:" + str(cls.__module__)


class Field(dataclasses.Field):
    """A field of a registered type: dataclasses.Field plus the canonical schema text and doc."""

    __slots__ = ("schema", "doc")

    def __init__(self, default, default_factory, init, repr, hash, compare, metadata, kw_only,
                 doc=None):
        super().__init__(default, default_factory, init, repr, hash, compare, metadata, kw_only)
        self.schema = None
        self.doc = doc

    def __repr__(self):
        return (f"Field(name={self.name!r}, type={self.type!r}, schema={self.schema!r}, "
                f"default={self.default!r}, default_factory={self.default_factory!r}, "
                f"init={self.init!r}, repr={self.repr!r}, hash={self.hash!r}, "
                f"compare={self.compare!r}, kw_only={self.kw_only!r}, doc={self.doc!r}, "
                f"metadata={self.metadata!r})")


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True, hash=None,
          compare=True, kw_only=MISSING, doc=None, metadata=None):
    """Describes one field of a @py_class, like dataclasses.field, plus a doc string."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only, doc)


def _from_dataclasses_field(f: dataclasses.Field) -> Field:
    # A view of the same metadata mapping (dataclasses keeps a live read-only view, not a copy).
    empty = f.metadata is dataclasses._EMPTY_METADATA  # type: ignore[attr-defined]
    return Field(f.default, f.default_factory, f.init, f.repr, f.hash, f.compare,
                 None if empty else f.metadata, f.kw_only)


# ---------------------------------------------------------------------------------------
# Annotations -> canonical schema text


class _MissingName(Exception):
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
        sibling = _decorated.get(self._cls.__module__, {}).get(f"{scope}.{name}" if scope else name)
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
        for cls in _pending_classes():
            key = _intended_key(cls)
            if key == name or key.startswith(prefix):
                return _KeyRef(name)
        return _KeyRef(name, known=False)


def _is_classvar(tp) -> bool:
    return tp is typing.ClassVar or typing.get_origin(tp) is typing.ClassVar


def _is_initvar(tp) -> bool:
    return tp is InitVar or isinstance(tp, InitVar)


def _is_kw_only(tp) -> bool:
    return tp is KW_ONLY


class _Context:
    """What resolving one class's annotations needs and produces."""

    def __init__(self, cls: type, key: str, module_globals: dict, local_ns: dict | None):
        self.cls = cls
        self.key = key
        self.scope = _Scope(cls, module_globals, local_ns)
        self.module_globals = module_globals
        self.enums: dict[str, type] = {}


def _evaluate(annotation, ctx: _Context, field_name: str):
    """The annotation as an object; strings are evaluated in the class's scope."""
    if isinstance(annotation, str):
        text = annotation.strip()
        try:
            return eval(text, {"__builtins__": builtins}, ctx.scope)  # noqa: S307 - annotations
        except _MissingName:
            raise
        except NameError as e:  # a name in a nested expression
            raise _MissingName(getattr(e, "name", None) or str(e)) from None
        except Exception as e:
            if getattr(e, "typehost_key", None):  # typehost.types.geo.Later: not registered yet
                raise _MissingName(e.typehost_key) from None  # type: ignore[attr-defined]
            raise RegistrationError(
                f"{ctx.cls.__qualname__}.{field_name}: invalid annotation {annotation!r}: "
                f"{type(e).__name__}: {e}") from None
    if isinstance(annotation, typing.ForwardRef):
        return _evaluate(annotation.__forward_arg__, ctx, field_name)
    return annotation


def _enum_key(tp: type) -> str:
    return f"{tp.__module__}.{tp.__qualname__}"


def _schema(tp, ctx: _Context, field_name: str, text: str) -> str:
    def fail(why: str):
        raise RegistrationError(
            f"{ctx.cls.__qualname__}.{field_name}: unsupported annotation {text!r}: {why}")

    def sub(t) -> str:
        if isinstance(t, (str, typing.ForwardRef)):
            t = _evaluate(t, ctx, field_name)
        return _schema(t, ctx, field_name, text)

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
            raise _MissingName(tp.key)
        return tp.key
    if isinstance(tp, type):
        if issubclass(tp, Object):
            if tp is ctx.cls:
                return ctx.key
            key = _typehost._registered_class_key(tp) or _intended_key(tp)
            if key is None:
                fail(f"{tp.__qualname__} is not a registered type (decorate it with @py_class)")
            return key
        if issubclass(tp, enum.Enum):
            key = _typehost._key_of(tp) or _enum_key(tp)
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
    if origin is typing.ClassVar or _is_initvar(tp):
        fail("ClassVar and InitVar cannot be nested")
    fail(f"{tp!r} is not a type typehost can store")


# ---------------------------------------------------------------------------------------
# Pending classes (forward references to names not defined yet)

_pending: list[dict] = []
# module name -> {class name -> class} of every decorated class (registered or waiting).
_decorated: dict[str, dict[str, type]] = {}


def _pending_classes():
    return [p["cls"] for p in _pending]


def _intended_key(cls: type) -> str | None:
    return cls.__dict__.get("__typehost_key__") if isinstance(cls, type) else None


def _retry_pending():
    progress = True
    while progress and _pending:
        progress = False
        for job in list(_pending):
            try:
                _register_job(job)
            except _MissingName as e:
                _mark_pending(job, e.name)
                continue
            except Exception as e:  # noqa: BLE001
                # A definition that cannot complete now: keep it waiting, with the reason.
                cls = job["cls"]
                job["error"] = f"{type(e).__name__}: {e}"   # for the plugin manager's warnings
                _typehost._set_pending(cls, f"cannot instantiate {cls.__qualname__}: its registration "
                                            f"failed: {job['error']}")
                continue
            _pending.remove(job)
            progress = True


def _mark_pending(job: dict, missing: str):
    cls = job["cls"]
    fname = job.get("missing_field", "?")
    job["missing"] = missing   # what it waits for, for the plugin manager's warnings
    job.pop("error", None)
    message = (f"cannot instantiate {cls.__qualname__}: field {fname!r} refers to {missing!r}, "
               "which is not defined yet")
    _typehost._set_pending(cls, message)


# ---------------------------------------------------------------------------------------
# The decorator


def py_class(type_key=None, *, init=True, repr=True, eq=True, order=False, unsafe_hash=False,
             frozen=False, kw_only=False, match_args=True, slots=True, weakref_slot=False):
    """Registers a subclass of typehost.Object as a type whose fields live in C++ storage.

    Forms: ``@py_class``, ``@py_class("geo.Point")``, ``@py_class(type_key=None, *, init=True,
    repr=True, eq=True, order=False, unsafe_hash=False, frozen=False, kw_only=False,
    match_args=True, slots=True, weakref_slot=False)``; semantics as dataclasses.dataclass.
    Instances are always slotted (their fields are C++ storage): slots=True and
    weakref_slot=False are accepted as what they already are, the other values are refused.
    """
    if slots is not True:
        raise TypeError("py_class(slots=False) is not supported: instances keep their fields in C++ "
                        "storage and never have a __dict__ for them (slots=True is what they are)")
    if weakref_slot is not False:
        raise TypeError("py_class(weakref_slot=True) is not supported: instances of typehost classes cannot "
                        "be weakly referenced (the C object has no weak-reference slot)")
    frame = sys._getframe(1)
    local_ns = frame.f_locals if frame.f_locals is not frame.f_globals else None
    # Where the class statement is: cheaper and more exact than inspect.findsource.
    where = (frame.f_code.co_filename, frame.f_lineno)

    def wrap(cls):
        return _decorate(cls, key, dict(init=init, repr=repr, eq=eq, order=order,
                                        unsafe_hash=unsafe_hash, frozen=frozen, kw_only=kw_only,
                                        match_args=match_args), local_ns, where)

    if isinstance(type_key, type):  # bare @py_class
        key = None
        return wrap(type_key)
    if type_key is not None and not isinstance(type_key, str):
        raise TypeError(f"py_class() type_key must be a str, not {type(type_key).__name__}")
    key = type_key
    return wrap


def _dataclass_transform_marker(f):
    f.__dataclass_transform__ = {
        "eq_default": True, "order_default": False, "kw_only_default": False,
        "frozen_default": False, "field_specifiers": (Field, field, dataclasses.field, dataclasses.Field),
        "kwargs": {},
    }
    return f


_dataclass_transform_marker(py_class)


def _decorate(cls, type_key, opts, local_ns, where=("", 0)):
    if not isinstance(cls, type) or not issubclass(cls, Object) or cls is Object:
        name = getattr(cls, "__qualname__", repr(cls))
        raise RegistrationError(
            f"@py_class needs a subclass of typehost.Object; {name} does not derive from it")
    if opts["order"] and not opts["eq"]:
        raise ValueError("eq must be true if order is true")
    key = type_key or f"{cls.__module__}.{cls.__qualname__}"
    type.__setattr__(cls, "__typehost_key__", key)
    _decorated.setdefault(cls.__module__, {})[cls.__qualname__] = cls
    module = sys.modules.get(cls.__module__)
    module_globals = dict(vars(module)) if module is not None else {}
    if module is not None:
        module_globals = vars(module)
    job = {"cls": cls, "key": key, "opts": opts, "globals": module_globals, "locals": local_ns,
           "owner": _owner_for(cls), "where": where}
    try:
        _register_job(job)
    except _MissingName as e:
        _mark_pending(job, e.name)
        _pending[:] = [p for p in _pending if p["cls"] is not cls and p["key"] != key]
        _pending.append(job)
        return cls
    except BaseException:
        # A failed class must not complete other classes' forward references.
        siblings = _decorated.get(cls.__module__, {})
        if siblings.get(cls.__qualname__) is cls:
            del siblings[cls.__qualname__]
        raise
    _retry_pending()
    return cls


def _parent_class(cls):
    registered = [b for b in cls.__bases__ if b is not Object and isinstance(b, type)
                  and _typehost._registered_class_key(b) is not None]
    if len(registered) > 1:
        # Two registered bases would need two storage layouts in one object: each base's field
        # descriptors index its own slots.
        raise RegistrationError(
            f"{cls.__qualname__} derives from more than one registered class "
            f"({', '.join(b.__qualname__ for b in registered)}); a typehost type has one registered "
            "parent: derive from one and copy the other's fields, or make the other a mixin without fields")
    for base in cls.__mro__[1:]:
        if base is Object:
            return None
        if _typehost._registered_class_key(base) is not None:
            return base
        if any(p["cls"] is base for p in _pending):
            raise _MissingName(base.__qualname__)
    return None


_MARKER_START = re.compile(r"^(?:\s*(\w+)\s*\.)?\s*(\w+)")   # dataclasses' _MODULE_IDENTIFIER_RE
_MARKER_HEAD = re.compile(r"^\s*(?:(\w+)\s*\.\s*)?(\w+)")   # only the start matters, as for dataclasses
_MARKER_MODULES = {"KW_ONLY": ("dataclasses", "typehost"), "ClassVar": ("typing",),
                   "InitVar": ("dataclasses", "typehost")}
_MARKERS = {"KW_ONLY": KW_ONLY, "ClassVar": typing.ClassVar, "InitVar": InitVar}


def _string_marker(annotation: str, cls):
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
        if _is_classvar(value):
            return typing.ClassVar
        if _is_initvar(value):
            return value
        if value is KW_ONLY and annotation.strip() == name:
            return KW_ONLY
    m = _MARKER_HEAD.match(annotation)
    if m is None or m.group(2) not in _MARKERS:
        return None
    module, name = m.group(1), m.group(2)
    if name == "KW_ONLY" and annotation.strip() != name and "[" in annotation:
        return None
    if module is not None:
        ns = getattr(sys.modules.get(cls.__module__), "__dict__", {})
        target = ns.get(module)
        names = _MARKER_MODULES[name]
        if not (module in names or getattr(target, "__name__", None) in names):
            return None
    return _MARKERS[name]


def _collect_fields(cls, ctx: _Context, opts: dict):
    """dataclasses' field collection: inherited fields first, redefinitions keep position."""
    parent = _parent_class(cls)
    all_fields: dict[str, Field] = {}
    if parent is not None:
        for name, f in parent.__dataclass_fields__.items():
            all_fields[name] = f
    own = cls.__dict__.get("__annotations__", {})
    kw_only_default = opts["kw_only"]
    seen_kw_only = False
    own_fields: list[Field] = []
    schemas: dict[str, str] = {}
    for name, annotation in own.items():
        tp = annotation
        if isinstance(annotation, str):
            marker = _string_marker(annotation, cls)
            if marker is not None:
                tp = marker
        if _is_kw_only(tp):
            if seen_kw_only:
                raise RegistrationError(f"{name!r} is KW_ONLY, but KW_ONLY has already been specified")
            seen_kw_only = True
            kw_only_default = True
            continue
        default = cls.__dict__.get(name, MISSING)
        if isinstance(default, types.GetSetDescriptorType) and default.__objclass__ is cls:
            # The class was decorated before: its defaults are now field descriptors.
            default = copy.copy(cls.__dict__["__dataclass_fields__"][name])
        elif (default is not MISSING and hasattr(type(default), "__get__")
              and not isinstance(default, (dataclasses.Field, types.MemberDescriptorType))):
            # A descriptor: its class-level __get__ gives the default, as dataclasses reads it.
            default = getattr(cls, name, MISSING)
        if isinstance(default, Field):
            f = default
        elif isinstance(default, dataclasses.Field):
            f = _from_dataclasses_field(default)
        else:
            if isinstance(default, types.MemberDescriptorType):
                default = MISSING
            f = field(default=default)
        f.name = name
        f.type = annotation
        if _is_classvar(tp):
            f._field_type = _FIELD_CLASSVAR
        elif _is_initvar(tp):
            f._field_type = _FIELD_INITVAR
        else:
            f._field_type = _FIELD
        if f._field_type is not _FIELD:
            if f.default_factory is not MISSING:
                raise RegistrationError(f"field {name} cannot have a default factory")
            if f._field_type is _FIELD_CLASSVAR and f.kw_only is not MISSING:
                raise RegistrationError(f"field {name} is a ClassVar but specifies kw_only")
        else:
            if f.kw_only is MISSING:
                f.kw_only = kw_only_default
            if f.default is not MISSING and f.default.__class__.__hash__ is None:
                raise ValueError(f"mutable default {type(f.default)} for field {name} is not "
                                 "allowed: use default_factory")
            ctx.current_field = name
            try:
                value = _evaluate(annotation, ctx, name)
            except _MissingName:
                ctx.missing_field = name
                raise
            try:
                schemas[name] = _schema(value, ctx, name, annotation if isinstance(annotation, str)
                                        else _annotation_text(annotation))
            except _MissingName:
                ctx.missing_field = name
                raise
            f.schema = schemas[name]
        if f._field_type is _FIELD_INITVAR and f.kw_only is MISSING:
            f.kw_only = kw_only_default
        all_fields[name] = f
        own_fields.append(f)
    for name, value in cls.__dict__.items():
        if isinstance(value, dataclasses.Field) and name not in own:
            raise RegistrationError(f"{name!r} is a field but has no type annotation")
    return parent, all_fields, own_fields


def _annotation_text(tp) -> str:
    if isinstance(tp, type):
        return tp.__qualname__
    return repr(tp).replace("typing.", "")


def _hash_action(cls, opts) -> str:
    """The dataclasses table: returns 'keep', 'identity' (leave inherited), 'fields' or
    'unhashable'."""
    unsafe_hash, eq, frozen = opts["unsafe_hash"], opts["eq"], opts["frozen"]
    has_explicit = "__hash__" in cls.__dict__ and not (
        cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__)
    if unsafe_hash:
        if has_explicit:
            raise RegistrationError(f"Cannot overwrite attribute __hash__ in class {cls.__name__}")
        return "fields"
    if not eq:
        return "keep"
    if frozen:
        return "keep" if has_explicit else "fields"
    return "keep" if has_explicit else "unhashable"


def _metadata_json(f: Field) -> str:
    """The metadata as JSON text for type descriptions; any mapping (also one without keys(),
    which dataclasses accepts), values JSON cannot hold as their repr."""
    if not f.metadata:
        return ""
    try:
        items = {str(k): f.metadata[k] for k in f.metadata}
    except Exception:  # noqa: BLE001 - a mapping that cannot be iterated: described by repr
        return json.dumps({"repr": _safe_repr(f.metadata)})
    try:
        return json.dumps(items, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        return json.dumps({k: _safe_repr(v) for k, v in items.items()}, sort_keys=True)


def _register_job(job: dict):
    cls, key, opts = job["cls"], job["key"], job["opts"]
    ctx = _Context(cls, key, job["globals"], job["locals"])
    try:
        parent, all_fields, own_fields = _collect_fields(cls, ctx, opts)
    except _MissingName:
        job["missing_field"] = getattr(ctx, "missing_field", "?")
        raise

    # Inheritance rules for frozen, as dataclasses.
    if parent is not None:
        parent_frozen = parent.__dataclass_params__.frozen
        if parent_frozen and not opts["frozen"]:
            raise RegistrationError("cannot inherit non-frozen dataclass from a frozen one")
        if not parent_frozen and opts["frozen"]:
            raise RegistrationError("cannot inherit frozen dataclass from a non-frozen one")

    init_params = [f for f in all_fields.values() if f._field_type in (_FIELD, _FIELD_INITVAR) and f.init]
    positional = [f for f in init_params if not f.kw_only]
    keyword = [f for f in init_params if f.kw_only]
    if opts["init"]:
        seen_default = False
        for f in positional:
            has_default = f.default is not MISSING or f.default_factory is not MISSING
            if has_default:
                seen_default = True
            elif seen_default:
                raise RegistrationError(f"non-default argument {f.name!r} follows default argument")

    for name in ("__lt__", "__le__", "__gt__", "__ge__"):
        if opts["order"] and name in cls.__dict__:
            raise RegistrationError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                                    "Consider using functools.total_ordering")
    if opts["frozen"]:
        for name in ("__setattr__", "__delattr__"):
            if name in cls.__dict__:
                raise RegistrationError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    hash_action = _hash_action(cls, opts)

    file, line = job.get("where") or ("", 0)
    if not file or file.startswith("<"):
        file = getattr(sys.modules.get(cls.__module__), "__file__", None) or file
    specs = []
    for enum_key, enum_cls in ctx.enums.items():
        specs.append({"kind": "enum", "key": enum_key, "cls": enum_cls,
                      "doc": inspect.cleandoc(enum_cls.__dict__.get("__doc__") or ""),
                      "members": [(m.name, m.value) for m in enum_cls]})
    spec_fields = []
    for f in own_fields:
        if f._field_type is not _FIELD:
            continue
        fd = {"name": f.name, "schema": f.schema, "default_factory": None if f.default_factory is MISSING else f.default_factory,
              "init": f.init, "repr": f.repr, "compare": f.compare, "hash": f.hash,
              "kw_only": bool(f.kw_only), "doc": f.doc, "metadata": _metadata_json(f),
              "annotation": f.type if isinstance(f.type, str) else _annotation_text(f.type)}
        if f.default is not MISSING:
            fd["default"] = f.default
            fd["default_repr"] = _safe_repr(f.default)
        spec_fields.append(fd)
    params = []
    for f in positional + keyword:
        p = {"name": f.name, "field": f._field_type is _FIELD, "kw_only": bool(f.kw_only)}
        if f._field_type is _FIELD_INITVAR and f.default is not MISSING:
            p["default"] = f.default
        params.append(p)
    user_init = "__init__" in cls.__dict__
    parent_key = _typehost._registered_class_key(parent) if parent is not None else None
    specs.append({
        "kind": "object", "cls": cls, "key": key, "parent": parent_key,
        "doc": cls.__dict__.get("__doc__") or "", "frozen": opts["frozen"], "file": file, "line": line,
        "fields": spec_fields, "params": params,
        "flags": {"init": opts["init"], "repr": opts["repr"], "eq": opts["eq"], "order": opts["order"],
                  "hash": "fields" if hash_action == "fields" else
                          ("unhashable" if hash_action == "unhashable" else "identity"),
                  "post_init": hasattr(cls, "__post_init__"), "user_init": user_init,
                  "hashable": hash_action != "unhashable" and (
                      hash_action != "keep" or cls.__dict__.get("__hash__") is not None)},
    })
    # Everything that can fail (the signature, __doc__, the field names) is computed before the
    # types are registered, so a failing decoration leaves nothing registered; what follows
    # the registration only sets class attributes.
    finish = _prepare_finish(cls, all_fields, opts, hash_action, positional, keyword)
    _typehost._register(specs, job["owner"])
    _finish_class(cls, finish)


def _make_init(cls, signature):
    register_init = _typehost._init

    def __init__(self, /, *args, **kwargs):
        register_init(cls, self, args, kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__module__ = cls.__module__
    __init__.__signature__ = signature  # type: ignore[attr-defined]
    return __init__


def _init_signature(positional, keyword):
    # dataclasses' name for the instance when a field is called "self"
    self_name = "__dataclass_self__" if any(f.name == "self" for f in positional + keyword) else "self"
    params = [inspect.Parameter(self_name, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for f in positional + keyword:
        kind = inspect.Parameter.KEYWORD_ONLY if f.kw_only else inspect.Parameter.POSITIONAL_OR_KEYWORD
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = _HAS_DEFAULT_FACTORY
        else:
            default = inspect.Parameter.empty
        annotation = f.type
        if _is_initvar(annotation) and isinstance(annotation, InitVar):
            annotation = annotation
        params.append(inspect.Parameter(f.name, kind, default=default, annotation=annotation))
    return inspect.Signature(params, return_annotation=None)


def _frozen_methods(cls, all_fields):
    """__setattr__ and __delattr__ of a frozen class, by dataclasses' rule: instances of the class
    itself refuse every name, instances of an undecorated subclass only the fields (a subclass's
    own attributes, say in its __slots__, stay settable)."""
    names = frozenset(n for n, f in all_fields.items() if f._field_type is _FIELD)

    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    for fn in (__setattr__, __delattr__):
        fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
    return [("__setattr__", __setattr__), ("__delattr__", __delattr__)]


def _check_field_names(cls, all_fields):
    for name in all_fields:
        if not isinstance(name, str) or not name.isidentifier():
            raise RegistrationError(f"{cls.__qualname__}: field names must be valid identifiers: {name!r}")
        if keyword.iskeyword(name):
            raise RegistrationError(f"{cls.__qualname__}: field names must not be keywords: {name!r}")


_ORDERING = ("__lt__", "__le__", "__gt__", "__ge__")


def _ordering_attrs(cls):
    """For a class without order=True that defines ordering itself (in its body or in a mixin):
    the four ordering names as a plain class would see them. Object's C slot wrappers for the
    ordering operators would otherwise stand in for the ones the user left out, which hides a
    user mixin's methods and makes functools.total_ordering believe all four are defined.
    Classes that define no ordering keep Object's C comparison untouched (one C tp_richcompare
    for ==, the fast path); a class with a Python ordering method goes through CPython's
    generic slot anyway, so the names added here cost nothing there."""
    skip = (Object, object)
    found = {}
    for name in _ORDERING:
        for base in cls.__mro__:
            if base in skip or name not in base.__dict__:
                continue
            value = base.__dict__[name]
            if value is getattr(object, name):
                continue   # the placeholder a registered base got from this function
            found[name] = value
            break
    if not found:
        return []
    return [(name, found.get(name, getattr(object, name))) for name in _ORDERING
            if cls.__dict__.get(name) is not found.get(name, getattr(object, name))]


def _prepare_finish(cls, all_fields, opts, hash_action, positional, keyword_fields):
    """The class attributes _finish_class sets, as (name, value) pairs in order, plus whether the
    C __init__ may stand in for the generated one. Raises (before anything is registered) when
    one of them cannot be built."""
    _check_field_names(cls, all_fields)
    attrs = [("__dataclass_fields__", all_fields),
             ("__dataclass_params__", dataclasses._DataclassParams(  # type: ignore[attr-defined]
                 opts["init"], opts["repr"], opts["eq"], opts["order"], opts["unsafe_hash"], opts["frozen"]))]
    user_init = "__init__" in cls.__dict__
    signature = _init_signature(positional, keyword_fields)
    if opts["init"] and not user_init:
        attrs.append(("__init__", _make_init(cls, signature)))
    if opts["frozen"]:
        attrs += _frozen_methods(cls, all_fields)
    if hash_action == "unhashable":
        attrs.append(("__hash__", None))
    elif hash_action == "fields" and "__hash__" in cls.__dict__ and cls.__dict__["__hash__"] is None:
        attrs.append(("__hash__", Object.__hash__))
    elif hash_action == "fields" and getattr(cls, "__hash__", None) is not Object.__hash__:
        attrs.append(("__hash__", Object.__hash__))   # also over a base's own __hash__, as dataclasses
    # A user-written dunder in an intermediate base would shadow the C implementations.
    if opts["repr"] and "__repr__" not in cls.__dict__ and cls.__repr__ is not Object.__repr__:
        attrs.append(("__repr__", Object.__repr__))
    if opts["eq"] and "__eq__" not in cls.__dict__ and cls.__eq__ is not Object.__eq__:
        attrs.append(("__eq__", Object.__eq__))
    if not opts["order"]:
        attrs += _ordering_attrs(cls)
    else:   # an ordering placeholder or mixin method in a base would shadow the C ones
        attrs += [(name, getattr(Object, name)) for name in _ORDERING
                  if name not in cls.__dict__ and getattr(cls, name) is not getattr(Object, name)]
    if opts["match_args"] and "__match_args__" not in cls.__dict__:
        attrs.append(("__match_args__", tuple(f.name for f in positional)))
    if "__doc__" not in cls.__dict__ or cls.__dict__["__doc__"] is None:
        try:
            attrs.append(("__doc__", cls.__name__ + str(signature).replace(
                "(self, ", "(").replace("(self)", "()").replace(" -> None", "")))
        except (TypeError, ValueError):
            pass
    return attrs, opts["init"] and not user_init


def _safe_repr(value) -> str:
    """repr(value) for type descriptions; "" when the object's __repr__ fails (the description
    then falls back to a text made from the stored value)."""
    try:
        text = repr(value)
    except Exception:
        return ""
    if not isinstance(text, str):
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate from a custom __repr__
        return ""
    return text


def _finish_class(cls, finish):
    attrs, fast_init = finish
    sets = type.__setattr__
    for name, value in attrs:
        sets(cls, name, value)
    # A ClassVar or InitVar given as field(default=...): the class attribute is the default
    # (or nothing), not the Field, as dataclasses leaves it.
    for name, f in cls.__dict__["__dataclass_fields__"].items():
        if f._field_type is not _FIELD and isinstance(cls.__dict__.get(name), dataclasses.Field):
            if f.default is MISSING:
                type.__delattr__(cls, name)
            else:
                sets(cls, name, f.default)
    abc.update_abstractmethods(cls)   # order=True may implement an ABC's abstract __lt__
    _typehost._enable_fast_init(cls, fast_init)


def _finish_generated_class(cls):
    """Adds __init__ and dataclass interop to a class generated for a native type."""
    from ._interop import annotation_of
    info = _typehost._type_info(cls)
    all_fields: dict[str, Field] = {}
    for fd in info["fields"]:
        f = field(default=fd["default"] if fd["has_default"] else MISSING, init=fd["init"],
                  repr=fd["repr"], hash=fd["hash"], compare=fd["compare"], kw_only=fd["kw_only"],
                  doc=fd["doc"] or None,
                  metadata=json.loads(fd["metadata"]) if fd["metadata"] else None)
        if fd["has_factory"]:
            f.default_factory = _native_factory(info["key"], fd["name"])
        f.name = fd["name"]
        f.type = annotation_of(fd["schema"])
        f.schema = fd["schema"]
        f._field_type = _FIELD
        all_fields[f.name] = f
    # get_type_hints and inspect read these, as for a class written in Python.
    type.__setattr__(cls, "__annotations__", {n: f.type for n, f in all_fields.items()
                                              if n not in getattr(cls.__base__, "__dataclass_fields__", {})})
    init_fields = [f for f in all_fields.values() if f.init]
    positional = [f for f in init_fields if not f.kw_only]
    keyword = [f for f in init_fields if f.kw_only]
    opts = dict(init=True, repr=True, eq=True, order=False, unsafe_hash=False,
                frozen=info["frozen"], kw_only=False, match_args=True)
    hash_action = "fields" if info["frozen"] else "unhashable"
    _finish_class(cls, _prepare_finish(cls, all_fields, opts, hash_action, positional, keyword))
    return cls


def _native_factory(key, name):
    def factory():
        raise TypeError(f"{key}.{name} has a native default factory")
    return factory


# ---------------------------------------------------------------------------------------
# Helpers mirroring the dataclasses module functions


def _fields_of(class_or_instance):
    try:
        all_fields = class_or_instance.__dataclass_fields__
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") from None
    return all_fields


def fields(class_or_instance) -> tuple[Field, ...]:
    """The Field objects of a registered class or instance, inherited fields first."""
    cls = class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
    if not issubclass(cls, Object) and hasattr(cls, "__dataclass_fields__"):
        raise TypeError(f"must be called with a typehost class or instance: {cls.__qualname__} is a plain "
                        "dataclass (dataclasses.fields() reads its fields)")
    return tuple(f for f in _fields_of(class_or_instance).values() if f._field_type is _FIELD)


def asdict(obj, *, dict_factory=dict):
    """Recursively converts a typehost object to a dict (lists, tuples and dicts inside too)."""
    if not isinstance(obj, Object):
        raise TypeError("asdict() should be called on typehost object instances")
    return _asdict_inner(obj, dict_factory, {})


def _asdict_inner(obj, dict_factory, seen):
    from typehost._views import Dict, List
    if isinstance(obj, Object) and hasattr(type(obj), "__dataclass_fields__"):
        if id(obj) in seen:
            raise ValueError("asdict() of a cyclic object graph")
        seen[id(obj)] = True
        try:
            return dict_factory([(f.name, _asdict_inner(getattr(obj, f.name), dict_factory, seen))
                                 for f in fields(obj)])
        finally:
            del seen[id(obj)]
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_asdict_inner(v, dict_factory, seen) for v in obj])
    if isinstance(obj, (list, List)):
        return [_asdict_inner(v, dict_factory, seen) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_asdict_inner(v, dict_factory, seen) for v in obj)
    if isinstance(obj, (dict, Dict)):
        return {_asdict_inner(k, dict_factory, seen): _asdict_inner(v, dict_factory, seen)
                for k, v in obj.items()}
    return copy.deepcopy(obj)


def replace(obj, /, **changes):
    """A new object of the same class with some fields changed (runs __init__/__post_init__)."""
    return dataclasses.replace(obj, **changes)
