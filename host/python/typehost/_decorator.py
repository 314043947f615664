"""@py_class: turns an annotated subclass of typehost.Object into a registered type.

The class analysis (fields, defaults, KW_ONLY, InitVar, inheritance, the eq/frozen/hash
table) follows the standard dataclasses module and its error messages. Everything that runs
per instance (__init__, field access, eq, hash, repr) is C code in the host.

Split by concern: _fields (Field, field), _annotations (annotation -> schema), _registration
(what is remembered between decorations), _dataclass_api (fields, asdict, replace); this
module holds the decorator and the dataclasses rules.
"""

from __future__ import annotations

import abc
import copy
import dataclasses
import inspect
import json
import keyword
import sys
import types
from dataclasses import MISSING, FrozenInstanceError, InitVar

import _typehost
from _typehost import Object, RegistrationError

from ._annotations import (Context, MissingName, annotation_text, evaluate, is_classvar, is_initvar,
                           is_kw_only, annotation_schema, string_marker)
from ._fields import (FIELD, FIELD_CLASSVAR, FIELD_INITVAR, HAS_DEFAULT_FACTORY, Field, from_dataclasses_field,
                      metadata_json, safe_repr, field)
from ._registration import state


def _retry_pending():
    progress = True
    while progress and state.pending:
        progress = False
        for job in list(state.pending):
            try:
                _register_job(job)
            except MissingName as e:
                _mark_pending(job, e.name)
                continue
            except Exception as e:  # noqa: BLE001
                # A definition that cannot complete now: keep it waiting, with the reason.
                cls = job["cls"]
                job["error"] = f"{type(e).__name__}: {e}"   # for the plugin manager's warnings
                _typehost._set_pending(cls, f"cannot instantiate {cls.__qualname__}: its registration "
                                            f"failed: {job['error']}")
                continue
            state.pending.remove(job)
            progress = True


def _mark_pending(job: dict, missing: str):
    cls = job["cls"]
    fname = job.get("missing_field", "?")
    job["missing"] = missing   # what it waits for, for the plugin manager's warnings
    job.pop("error", None)
    message = (f"cannot instantiate {cls.__qualname__}: field {fname!r} refers to {missing!r}, "
               "which is not defined yet")
    _typehost._set_pending(cls, message)


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
    state.remember(cls)
    module = sys.modules.get(cls.__module__)
    module_globals = dict(vars(module)) if module is not None else {}
    if module is not None:
        module_globals = vars(module)
    job = {"cls": cls, "key": key, "opts": opts, "globals": module_globals, "locals": local_ns,
           "owner": state.owner_for(cls), "where": where}
    try:
        _register_job(job)
    except MissingName as e:
        _mark_pending(job, e.name)
        state.wait(job)
        return cls
    except BaseException:
        # A failed class must not complete other classes' forward references.
        state.forget_class(cls)
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
        if state.is_waiting(base):
            raise MissingName(base.__qualname__)
    return None


def _collect_fields(cls, ctx: Context, opts: dict):
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
            marker = string_marker(annotation, cls)
            if marker is not None:
                tp = marker
        if is_kw_only(tp):
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
            f = from_dataclasses_field(default)
        else:
            if isinstance(default, types.MemberDescriptorType):
                default = MISSING
            f = field(default=default)
        f.name = name
        f.type = annotation
        if is_classvar(tp):
            f._field_type = FIELD_CLASSVAR
        elif is_initvar(tp):
            f._field_type = FIELD_INITVAR
        else:
            f._field_type = FIELD
        if f._field_type is not FIELD:
            if f.default_factory is not MISSING:
                raise RegistrationError(f"field {name} cannot have a default factory")
            if f._field_type is FIELD_CLASSVAR and f.kw_only is not MISSING:
                raise RegistrationError(f"field {name} is a ClassVar but specifies kw_only")
        else:
            if f.kw_only is MISSING:
                f.kw_only = kw_only_default
            if f.default is not MISSING and f.default.__class__.__hash__ is None:
                raise ValueError(f"mutable default {type(f.default)} for field {name} is not "
                                 "allowed: use default_factory")
            ctx.current_field = name
            try:
                value = evaluate(annotation, ctx, name)
            except MissingName:
                ctx.missing_field = name
                raise
            try:
                schemas[name] = annotation_schema(value, ctx, name, annotation if isinstance(annotation, str)
                                        else annotation_text(annotation))
            except MissingName:
                ctx.missing_field = name
                raise
            f.schema = schemas[name]
        if f._field_type is FIELD_INITVAR and f.kw_only is MISSING:
            f.kw_only = kw_only_default
        all_fields[name] = f
        own_fields.append(f)
    for name, value in cls.__dict__.items():
        if isinstance(value, dataclasses.Field) and name not in own:
            raise RegistrationError(f"{name!r} is a field but has no type annotation")
    return parent, all_fields, own_fields


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


def _register_job(job: dict):
    cls, key, opts = job["cls"], job["key"], job["opts"]
    ctx = Context(cls, key, job["globals"], job["locals"])
    try:
        parent, all_fields, own_fields = _collect_fields(cls, ctx, opts)
    except MissingName:
        job["missing_field"] = getattr(ctx, "missing_field", "?")
        raise

    # Inheritance rules for frozen, as dataclasses.
    if parent is not None:
        parent_frozen = parent.__dataclass_params__.frozen
        if parent_frozen and not opts["frozen"]:
            raise RegistrationError("cannot inherit non-frozen dataclass from a frozen one")
        if not parent_frozen and opts["frozen"]:
            raise RegistrationError("cannot inherit frozen dataclass from a non-frozen one")

    init_params = [f for f in all_fields.values() if f._field_type in (FIELD, FIELD_INITVAR) and f.init]
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
    # The records _typehost._register takes (host/src/specs.h), made by keyword: flags by truth
    # value, as dataclasses reads them (`frozen=[]` is false; an exception from __bool__
    # propagates and registers nothing).
    enum_specs = [_typehost.EnumSpec(cls=enum_cls, key=enum_key,
                                     doc=inspect.cleandoc(enum_cls.__dict__.get("__doc__") or ""),
                                     members=[(m.name, m.value) for m in enum_cls])
                  for enum_key, enum_cls in ctx.enums.items()]
    spec_fields = []
    for f in own_fields:
        if f._field_type is not FIELD:
            continue
        has_default = f.default is not MISSING
        spec_fields.append(_typehost.FieldSpec(
            name=f.name, schema=f.schema,
            annotation=f.type if isinstance(f.type, str) else annotation_text(f.type),
            doc=f.doc, metadata=metadata_json(f), has_default=has_default,
            default=f.default if has_default else None,
            default_repr=safe_repr(f.default) if has_default else None,
            default_factory=None if f.default_factory is MISSING else f.default_factory,
            init=bool(f.init), repr=bool(f.repr), compare=bool(f.compare),
            hash=None if f.hash is None else bool(f.hash), kw_only=bool(f.kw_only)))
    params = []
    for f in positional + keyword:
        initvar_default = f._field_type is FIELD_INITVAR and f.default is not MISSING
        params.append(_typehost.ParamSpec(name=f.name, field=f._field_type is FIELD, kw_only=bool(f.kw_only),
                                          has_default=initvar_default,
                                          default=f.default if initvar_default else None))
    parent_key = _typehost._registered_class_key(parent) if parent is not None else None
    type_spec = _typehost.TypeSpec(
        cls=cls, key=key, parent=parent_key, doc=cls.__dict__.get("__doc__") or "", file=file, line=line,
        frozen=bool(opts["frozen"]), init=bool(opts["init"]), repr=bool(opts["repr"]), eq=bool(opts["eq"]),
        order=bool(opts["order"]),
        hash="fields" if hash_action == "fields" else ("unhashable" if hash_action == "unhashable" else "identity"),
        hashable=hash_action != "unhashable" and (hash_action != "keep" or cls.__dict__.get("__hash__") is not None),
        post_init=hasattr(cls, "__post_init__"), user_init="__init__" in cls.__dict__,
        fields=spec_fields, params=params)
    # Everything that can fail (the signature, __doc__, the field names) is computed before the
    # types are registered, so a failing decoration leaves nothing registered; what follows
    # the registration only sets class attributes.
    finish = _prepare_finish(cls, all_fields, opts, hash_action, positional, keyword)
    _typehost._register(enum_specs, [type_spec], job["owner"])
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
            default = HAS_DEFAULT_FACTORY
        else:
            default = inspect.Parameter.empty
        annotation = f.type
        if is_initvar(annotation) and isinstance(annotation, InitVar):
            annotation = annotation
        params.append(inspect.Parameter(f.name, kind, default=default, annotation=annotation))
    return inspect.Signature(params, return_annotation=None)


def _frozen_methods(cls, all_fields):
    """__setattr__ and __delattr__ of a frozen class, by dataclasses' rule: instances of the class
    itself refuse every name, instances of an undecorated subclass only the fields (a subclass's
    own attributes, say in its __slots__, stay settable)."""
    names = frozenset(n for n, f in all_fields.items() if f._field_type is FIELD)

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


def _finish_class(cls, finish):
    attrs, fast_init = finish
    sets = type.__setattr__
    for name, value in attrs:
        sets(cls, name, value)
    # A ClassVar or InitVar given as field(default=...): the class attribute is the default
    # (or nothing), not the Field, as dataclasses leaves it.
    for name, f in cls.__dict__["__dataclass_fields__"].items():
        if f._field_type is not FIELD and isinstance(cls.__dict__.get(name), dataclasses.Field):
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
        f = field(default=fd["python_default"] if fd["has_default"] else MISSING, init=fd["init"],
                  repr=fd["repr"], hash=fd["hash_option"], compare=fd["compare"], kw_only=fd["kw_only"],
                  doc=fd["doc"] or None, metadata=fd["metadata"])
        if fd["default_factory"]:
            f.default_factory = _native_factory(info["key"], fd["name"])
        f.name = fd["name"]
        f.type = annotation_of(fd["type"])
        f.schema = fd["type"]
        f._field_type = FIELD
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


# C++ generates classes for native types and finishes them through this hook (never by
# importing a private name).
_typehost._set_generated_class_hook(_finish_generated_class)
