"""typehost.stubs: the .pyi of typehost.types for the types registered now.

Every registered type (native and Python, objects and enums) becomes a class nested in
classes named after its key's parts: "geo.Vec3" is ``class geo: class Vec3`` and reads as
``geo.Vec3`` after ``from typehost.types import geo``. Object classes carry
``@typehost.py_class(...)`` (so checkers see dataclass fields, also in subclasses) and spell out
``__init__`` (so they work without PEP 681 support too). The text is deterministic: sorted,
no timestamps, nothing from the environment.
"""

from __future__ import annotations

import enum
import inspect
import keyword
import sys

import _typehost

__all__ = ["stubs"]

# Aliases of the modules the stub imports; chosen so that no key part shadows them.
_TYPING, _ENUM, _TH, _DC = "_typing", "_enum", "_typehost", "_dataclasses"
# A default the stub cannot spell is `field(default_factory=_default)`: a bare `...` would make
# pyright check EllipsisType against the field's type in subclasses written in Python.
_DEFAULT = "_default"
# Names the annotations use unqualified: a top-level key part may not shadow them.
_RESERVED = {_TYPING, _ENUM, _TH, _DC, _DEFAULT, "bool", "int", "float", "str", "bytes", "list", "dict",
             "tuple", "None", "object", "type"}


def _identifier_path(key: str) -> bool:
    parts = key.split(".")
    return all(p.isidentifier() and not keyword.iskeyword(p) for p in parts) and parts[0] not in _RESERVED


def _docstring(doc: str, indent: str) -> list[str]:
    text = inspect.cleandoc(doc or "")
    if not text:
        return []
    if '"""' in text or "\\" in text or text.endswith('"'):
        return [indent + repr(text)]
    lines = text.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{text}"""']
    return [f'{indent}"""{lines[0]}'] + [(indent + line) if line else "" for line in lines[1:]] + [f'{indent}"""']


def _importable_class(key: str, info: dict):
    """The Python class of a registered Python type when a type checker can import it from its
    module by name (a loaded plugin's module, say): (module name, qualname), else None."""
    if info["origin"] != "python" or info["stale"]:
        return None
    try:
        cls = _typehost._get_class(key)
    except (KeyError, TypeError):
        return None
    if not isinstance(cls, type):
        return None
    module_name, qualname = cls.__dict__.get("__module__"), getattr(cls, "__qualname__", "")
    module = sys.modules.get(module_name) if isinstance(module_name, str) else None
    if (module is None or module_name == "__main__" or not getattr(module, "__file__", None)
            or "<" in qualname or module_name.startswith("typehost") or module_name.startswith("_")):
        return None
    if not all(p.isidentifier() and not keyword.iskeyword(p) for p in (*module_name.split("."), *qualname.split("."))):
        return None
    target = module
    for part in qualname.split("."):
        target = getattr(target, part, None)
    return (module_name, qualname) if target is cls else None


class _Writer:
    def __init__(self, self_contained: bool = False):
        self.self_contained = self_contained
        self.infos: dict[str, dict] = {}
        for key in _typehost.type_keys():
            try:
                self.infos[key] = _typehost._type_info(key)
            except (KeyError, TypeError):
                continue
        self.emitted = {k for k in self.infos if _identifier_path(k)}
        self.skipped = sorted(set(self.infos) - self.emitted)
        self.modules: dict[str, str] = {}   # module -> alias, for Opaque classes

    # -- annotations

    def annotation(self, tree: tuple) -> str:
        kind = tree[0]
        simple = {"any": f"{_TYPING}.Any", "none": "None", "bool": "bool", "int": "int", "float": "float",
                  "str": "str", "bytes": "bytes", "object": f"{_TH}.Object"}
        if kind in simple:
            return simple[kind]
        if kind == "list":
            return f"list[{self.annotation(tree[1])}]"
        if kind == "dict_str":
            return f"dict[str, {self.annotation(tree[1])}]"
        if kind == "dict_int":
            return f"dict[int, {self.annotation(tree[1])}]"
        if kind == "tuple_var":
            return f"tuple[{self.annotation(tree[1])}, ...]"
        if kind == "tuple":
            return "tuple[" + (", ".join(self.annotation(t) for t in tree[1]) or "()") + "]"
        if kind == "optional":
            return f"{self.annotation(tree[1])} | None"
        if kind == "union":
            return " | ".join(self.annotation(t) for t in tree[1])
        if kind == "literal":
            return f"{_TYPING}.Literal[{', '.join(repr(v) for v in tree[1])}]"
        if kind == "named":
            key = tree[1]
            if key in self.emitted:
                return key
            info = self.infos.get(key)
            if info is not None and info["kind"] == "enum" and info["members"]:
                return f"{_TYPING}.Literal[{', '.join(repr(v) for _, v in info['members'])}]"
            return f"{_TH}.Object" if info is not None else f"{_TYPING}.Any"
        if kind == "opaque":
            return self.opaque(tree[1])
        raise ValueError(f"unknown schema kind {kind!r}")

    def opaque(self, name: str) -> str:
        from ._interop import opaque_classes
        cls = opaque_classes.get(name)
        if cls is None or "<" in cls.__qualname__ or cls.__module__ in ("__main__", "builtins"):
            return f"{_TYPING}.Any"
        alias = "_mod_" + cls.__module__.replace(".", "_")
        self.modules[cls.__module__] = alias
        return f"{alias}.{cls.__qualname__}"

    def schema_text(self, text: str) -> str:
        return self.annotation(_typehost._schema_tree(text))

    # -- classes

    def reexport(self, key: str, info: dict, indent: str) -> list[str] | None:
        """`Name = _mod_module.Qualname` for a class its module defines (one class for the
        checker under both spellings), or None to spell the class out."""
        if self.self_contained:
            return None
        where = _importable_class(key, info)
        if where is None:
            return None
        module, qualname = where
        alias = "_mod_" + module.replace(".", "_")
        self.modules[module] = alias
        return [f"{indent}{key.rsplit('.', 1)[-1]}: {_TYPING}.TypeAlias = {alias}.{qualname}"]

    def enum_class(self, key: str, info: dict, indent: str) -> list[str]:
        base = f"{_ENUM}.Enum"
        try:
            cls = _typehost._get_class(key)
        except (KeyError, TypeError):
            cls = None
        if isinstance(cls, type):
            for candidate in ("IntFlag", "Flag", "IntEnum", "StrEnum"):
                if hasattr(enum, candidate) and issubclass(cls, getattr(enum, candidate)):
                    base = f"{_ENUM}.{candidate}"
                    break
        name = key.rsplit(".", 1)[-1]
        lines = [f"{indent}class {name}({base}):"]
        body = indent + "    "
        lines += _docstring(info["doc"], body)
        for member, value in info["members"]:
            lines.append(f"{body}{member} = {value!r}")
        if len(lines) == 1:
            lines.append(body + "...")
        return lines

    def object_class(self, key: str, info: dict, indent: str) -> list[str]:
        cls = None
        if not info["stale"]:
            try:
                cls = _typehost._get_class(key)
            except (KeyError, TypeError):
                cls = None
        params = getattr(cls, "__dataclass_params__", None)
        options = [repr(key)]
        if params is not None:
            for name, default in (("init", True), ("eq", True), ("order", False), ("unsafe_hash", False)):
                if getattr(params, name) != default:
                    options.append(f"{name}={getattr(params, name)!r}")
        if info["frozen"]:
            options.append("frozen=True")
        parent = info["parent"]
        base = parent if parent in self.emitted else f"{_TH}.Object"
        name = key.rsplit(".", 1)[-1]
        body = indent + "    "
        lines = [f"{indent}@{_TH}.py_class({', '.join(options)})", f"{indent}class {name}({base}):"]
        lines += _docstring(info["doc"], body)

        parent_fields = set()
        if parent is not None and parent in self.infos:
            parent_fields = {f["name"] for f in self.infos[parent]["fields"]}
        own = [f for f in info["fields"] if f["defined_in"] == key or f["name"] not in parent_fields]
        annotations = {f["name"]: self.schema_text(f["type"]) for f in info["fields"]}
        positional = [f for f in own if not f["kw_only"]]
        keyword_only = [f for f in own if f["kw_only"]]
        for f in positional + keyword_only:
            if f is (keyword_only[0] if keyword_only else None):
                sentinel = "_" if "_" not in annotations else "_kw_only_"
                lines.append(f"{body}{sentinel}: {_DC}.KW_ONLY")
            value = ""
            if not f["init"]:
                value = f" = {_TH}.field(init=False)"
            elif f["has_default"] or f["default_factory"]:
                value = " = " + self.default(f)
            comment = ""
            if f["doc"]:
                comment = "  # " + " ".join(f["doc"].split())
            lines.append(f"{body}{f['name']}: {annotations[f['name']]}{value}{comment}")
        lines += self.init(cls, info, annotations, params, body)
        if len(lines) == 2:
            lines.append(body + "...")
        return lines

    def default(self, f: dict) -> str:
        """The field's default as a literal when it is one, else the default_factory stand-in."""
        value = f["python_default"]
        if f["has_default"] and not f["default_factory"]:
            if isinstance(value, enum.Enum):
                tree = _typehost._schema_tree(f["type"])
                while tree[0] == "optional":
                    tree = tree[1]
                if tree[0] == "named" and tree[1] in self.emitted:
                    return f"{tree[1]}.{value.name}"
            elif value is None or type(value) in (bool, int, str, bytes):
                return repr(value)
            elif type(value) is float and value == value and abs(value) != float("inf"):
                return repr(value)
        return f"{_TH}.field(default_factory={_DEFAULT})"

    def init(self, cls, info: dict, annotations: dict, params, body: str) -> list[str]:
        if params is not None and not params.init:
            return []
        sig = None
        if cls is not None:
            try:
                sig = inspect.signature(cls)
            except (TypeError, ValueError):
                sig = None
        parts = ["self"]
        if sig is not None:
            P = inspect.Parameter
            star = False
            ps = list(sig.parameters.values())
            last_positional_only = max((i for i, p in enumerate(ps) if p.kind is P.POSITIONAL_ONLY), default=-1)
            for i, p in enumerate(ps):
                ann = annotations.get(p.name) or self.initvar_annotation(cls, p.name)
                default = "" if p.default is P.empty else " = ..."
                if p.kind is P.VAR_POSITIONAL:
                    parts.append(f"*{p.name}: {_TYPING}.Any")
                    star = True
                elif p.kind is P.VAR_KEYWORD:
                    parts.append(f"**{p.name}: {_TYPING}.Any")
                else:
                    if p.kind is P.KEYWORD_ONLY and not star:
                        parts.append("*")
                        star = True
                    parts.append(f"{p.name}: {ann}{default}")
                if i == last_positional_only:
                    parts.append("/")
        else:
            fields = [f for f in info["fields"] if f["init"]]
            positional = [f for f in fields if not f["kw_only"]]
            keyword_only = [f for f in fields if f["kw_only"]]
            for f in positional + keyword_only:
                if keyword_only and f is keyword_only[0]:
                    parts.append("*")
                default = " = ..." if f["has_default"] or f["default_factory"] else ""
                parts.append(f"{f['name']}: {annotations[f['name']]}{default}")
        return [f"{body}def __init__({', '.join(parts)}) -> None: ..."]

    def initvar_annotation(self, cls, name: str) -> str:
        """The annotation of an InitVar parameter (not a field, so not in the registry)."""
        f = getattr(cls, "__dataclass_fields__", {}).get(name)
        tp = getattr(f, "type", None)
        inner = getattr(tp, "type", None)
        if isinstance(tp, str) and "[" in tp and tp.rstrip().endswith("]"):
            # "InitVar[str]" under `from __future__ import annotations`
            text = tp[tp.index("[") + 1:tp.rstrip().rindex("]")]
            try:
                inner = eval(text, dict(vars(sys.modules[cls.__module__])))  # noqa: S307 - an annotation
            except Exception:  # noqa: BLE001 - not evaluable here: Any
                inner = None
        if inner is not None:
            from ._api import schema_of
            try:
                return self.schema_text(schema_of(inner))
            except Exception:  # noqa: BLE001 - a type typehost cannot name: Any
                pass
        return f"{_TYPING}.Any"

    # -- the module

    def module(self) -> str:
        tree: dict = {}
        for key in sorted(self.emitted):
            node = tree
            for part in key.split("."):
                node = node.setdefault(part, {})
            node[None] = key
        body = self.namespace(tree, "")
        out = [
            '"""Stubs of typehost.types: the types registered when this file was generated.',
            "",
            "Generated by typehost.stubs() (typehost-headless stubs -o FILE); do not edit.",
            '"""',
            "",
        ]
        if self.skipped:
            out.append("# Left out (a key part is not a Python identifier, or shadows a name used here):")
            out += [f"#   {k}" for k in self.skipped]
            out.append("")
        out += [f"import dataclasses as {_DC}", f"import enum as {_ENUM}", f"import typing as {_TYPING}", "",
                f"import typehost as {_TH}"]
        for module in sorted(self.modules):
            out.append(f"import {module} as {self.modules[module]}")
        out += ["", "", f"def {_DEFAULT}() -> {_TYPING}.Any: ..."]
        out += body
        return "\n".join(out).rstrip("\n") + "\n"

    def namespace(self, node: dict, indent: str) -> list[str]:
        lines: list[str] = []
        for part in sorted(k for k in node if k is not None):
            child = node[part]
            lines += ["", ""] if not indent else [""]
            key = child.get(None)
            if key is not None:
                info = self.infos[key]
                lines += self.reexport(key, info, indent) or (
                    self.enum_class if info["kind"] == "enum" else self.object_class)(key, info, indent)
                nested = [k for k in child if k is not None]
                if nested:
                    lines.append(f"{indent}    # not reachable through typehost.types: "
                                 + ", ".join(f"{key}.{n}" for n in sorted(nested)))
            else:
                lines.append(f"{indent}class {part}:")
                lines += self.namespace(child, indent + "    ")
        if indent and lines and lines[0] == "":
            lines = lines[1:]
        return lines


def stubs(*, self_contained: bool = False) -> str:
    """The .pyi text of typehost.types for every registered type (see typehost.types).

    A Python type whose class its module defines at module level (a plugin's class) is a
    re-export of that class (`Joint = _mod_robot.Joint`), so `typehost.types.robot.Joint` and
    `robot.Joint` are one class for type checkers, which then need the plugin directories on
    their search path; `self_contained=True` spells every class out instead.

    Save it as typehost/types.pyi in a stub directory (pyright: "stubPath"; mypy: MYPYPATH,
    next to a copy of the package's own __init__.pyi and py.typed, since mypy resolves a
    package's modules in one directory).
    """
    return _Writer(self_contained).module()
