"""typehost.json_schema: every document to_json writes validates against its schema, documents
from_json rejects are rejected by the schema too, and the schema text is deterministic.

Validation is python3-jsonschema's Draft 2020-12 validator. The differential tests compare
the schema with from_json on mutated documents: they must agree on every document, except the
cases JSON Schema cannot see (an integral float such as 1.0 where an int is expected, integers
outside int64 where Any is expected, duplicate keys), which the mutations never produce.
"""

from __future__ import annotations

import copy
import enum
import json
import math
import os
import random
import typing
import zlib
from typing import Any, Literal, Optional, Union

import jsonschema
import pytest

import _typehost
import typehost
from typehost import Object, field, py_class
from typehost._plugins import PluginManager

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


# ---------------------------------------------------------------------------------------
# Types over every field kind


class Kind(enum.Enum):
    A = "a"
    B = "b$"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = -2


class Pair(typing.NamedTuple):
    left: float
    right: int = 0


class Money:
    """An opaque class: stored as its to_dict() form."""

    def __init__(self, amount: int, currency: str = "EUR", extra=None):
        self.amount, self.currency, self.extra = amount, currency, extra or {}

    def to_dict(self) -> dict:
        return {"amount": self.amount, "currency": self.currency, "extra": self.extra}

    @classmethod
    def from_dict(cls, d: dict) -> "Money":
        return cls(d["amount"], d["currency"], d["extra"])

    def __eq__(self, other):
        return isinstance(other, Money) and self.to_dict() == other.to_dict()


@py_class("tests.schema.Point")
class Point(Object):
    """A point in the plane."""

    x: float
    y: float = field(default=0.0, doc="Vertical")


@py_class("tests.schema.Point3")
class Point3(Point):
    z: float = 0.0


@py_class("tests.schema.Everything")
class Everything(Object):
    """One field of every kind."""

    b: bool
    i: int
    f: float
    s: str
    by: bytes
    li: list[int]
    lp: list[Point]
    ds: dict[str, float]
    di: dict[int, str]
    tv: tuple[str, ...]
    tf: tuple[int, str, bytes]
    te: tuple[()]
    o: Optional[Point]
    u: Union[int, str, None]
    lit: Literal["a", "b", 1]
    k: Kind
    lv: Level
    a: Any
    la: list[Any]
    obj: Object
    money: Money
    pair: Pair
    nested: dict[str, list[Optional[Point]]]
    maybe_money: Optional[Money] = None
    child: Optional[Everything] = None
    kind_default: Kind = Kind.B
    tags: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------
# Random values for a schema tree (see _typehost._schema_tree)

INTS = [0, 1, -1, 2**31, -(2**63), 2**63 - 1, 42]
FLOATS = [0.0, -0.0, 0.1, 1.0, 1e16, 1e300, 5e-324, 123456789.0, -2.5, math.nan, math.inf, -math.inf]
CHARS = ["a", "Z", "$", '"', "\\", "/", "\n", "\t", "\x01", "\x1f", "\x7f", "é", "€", "😀", " ", "~"]
STR_KEYS = ["", "a", "$", "$x", "$$y", "$type", "$bytes", "$float", "a/b~c", "é"]


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def text(self) -> str:
        return "".join(self.r.choice(CHARS) for _ in range(self.r.randrange(0, 6)))

    def float(self) -> float:
        return self.r.choice(FLOATS) if self.r.random() < 0.6 else self.r.uniform(-1e6, 1e6)

    def int(self) -> int:
        return self.r.choice(INTS) if self.r.random() < 0.6 else self.r.randrange(-(2**63), 2**63)

    def any(self, depth: int):
        choices = ["none", "bool", "int", "float", "str", "bytes"]
        if depth < 3:
            choices += ["list", "dict", "point"]
        c = self.r.choice(choices)
        if c == "list":
            return [self.any(depth + 1) for _ in range(self.r.randrange(0, 3))]
        if c == "dict":
            if self.r.random() < 0.2:
                return {self.int(): self.any(depth + 1) for _ in range(self.r.randrange(1, 3))}
            return {self.r.choice(STR_KEYS): self.any(depth + 1) for _ in range(self.r.randrange(0, 3))}
        if c == "point":
            return self.object("tests.schema.Point", depth + 1)
        return self.value(("none",) if c == "none" else (c,), depth)

    def object(self, key: str, depth: int):
        keys = [key] + [k for k in _subtypes(key)]
        cls = typehost.get_class(self.r.choice(keys))
        kwargs = {}
        for f in typehost.fields(cls):
            if not f.init:
                continue
            has_default = f.default is not typehost.MISSING or f.default_factory is not typehost.MISSING
            if has_default and (depth > 2 or self.r.random() < 0.3):
                continue
            kwargs[f.name] = self.value(_typehost._schema_tree(f.schema), depth + 1)
        return cls(**kwargs)

    def value(self, tree: tuple, depth: int = 0):
        kind = tree[0]
        r = self.r
        if kind == "any":
            return self.any(depth)
        if kind == "none":
            return None
        if kind == "bool":
            return r.random() < 0.5
        if kind == "int":
            return self.int()
        if kind == "float":
            return self.float()
        if kind == "str":
            return self.text()
        if kind == "bytes":
            return bytes(r.randrange(256) for _ in range(r.randrange(0, 7)))
        if kind == "object":
            return self.object(r.choice(["tests.schema.Point", "tests.schema.Point3"]), depth)
        if kind in ("list", "tuple_var"):
            n = 0 if depth > 3 else r.randrange(0, 4)
            items = [self.value(tree[1], depth + 1) for _ in range(n)]
            return items if kind == "list" else tuple(items)
        if kind == "tuple":
            return tuple(self.value(t, depth + 1) for t in tree[1])
        if kind == "dict_str":
            n = 0 if depth > 3 else r.randrange(0, 4)
            return {r.choice(STR_KEYS): self.value(tree[1], depth + 1) for _ in range(n)}
        if kind == "dict_int":
            n = 0 if depth > 3 else r.randrange(0, 4)
            return {self.int(): self.value(tree[1], depth + 1) for _ in range(n)}
        if kind == "optional":
            return None if depth > 2 or r.random() < 0.3 else self.value(tree[1], depth)
        if kind == "union":
            return self.value(r.choice(tree[1]), depth)
        if kind == "literal":
            return r.choice(tree[1])
        if kind == "named":
            cls = typehost.get_class(tree[1])
            if isinstance(cls, enum.EnumMeta):
                return r.choice(list(cls))
            return self.object(tree[1], depth)
        if kind == "opaque":
            if tree[2] is not None:  # the NamedTuple
                return Pair(self.float(), self.int())
            return Money(self.int(), self.text(), {r.choice(STR_KEYS): self.any(depth + 1)})
        raise AssertionError(kind)


def _subtypes(key: str) -> list[str]:
    out = []
    for k in typehost.type_keys():
        info = typehost.type_info(k)
        parent = info.parent
        while parent is not None:
            if parent == key:
                out.append(k)
                break
            parent = typehost.type_info(parent).parent
    return sorted(out)


def validator(cls_or_key=None) -> jsonschema.Draft202012Validator:
    schema = typehost.json_schema(cls_or_key)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(v: jsonschema.Draft202012Validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(doc)]


def reads(text: str, cls) -> bool:
    try:
        typehost.from_json(text, cls)
        return True
    except typehost.ValidationError:
        return False


# ---------------------------------------------------------------------------------------
# Shape of the schema


def test_object_schema_has_title_description_fields_defaults_and_required():
    schema = typehost.json_schema(Point)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (schema["title"], schema["description"]) == ("tests.schema.Point", "A point in the plane.")
    point = schema["$defs"]["tests.schema.Point"]
    assert point["title"] == "tests.schema.Point"
    assert point["additionalProperties"] is False
    assert point["required"] == ["x"]
    assert list(point["properties"]) == ["$type", "x", "y"]
    assert point["properties"]["$type"] == {"const": "tests.schema.Point"}
    assert point["properties"]["y"] == {"$ref": "#/$defs/$float", "description": "Vertical", "default": 0.0}


def test_a_parent_where_expected_allows_its_subtypes_with_their_type_key():
    schema = typehost.json_schema(Point)
    assert schema["anyOf"] == [
        {"$ref": "#/$defs/tests.schema.Point"},
        {"$ref": "#/$defs/tests.schema.Point3", "required": ["$type"]},
    ]
    assert "anyOf" not in typehost.json_schema(Point3) and \
        typehost.json_schema(Point3)["$ref"] == "#/$defs/tests.schema.Point3"


def test_enums_and_literals_are_enum_or_const():
    defs = typehost.json_schema(Everything)["$defs"]
    kind_key = typehost.schema_of(Kind)
    assert defs[kind_key] == {"title": kind_key, "enum": ["a", "b$"]}
    assert defs[typehost.schema_of(Level)]["enum"] == [1, -2]
    props = defs["tests.schema.Everything"]["properties"]
    assert props["lit"] == {"enum": ["a", "b", 1]}
    assert props["kind_default"] == {"$ref": f"#/$defs/{kind_key}", "default": "b$"}
    assert typehost.json_schema(Literal["only"]) == {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Literal['only']", "const": "only"}


@pytest.mark.parametrize("annotation, fragment", [
    (int, {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}),
    (bool, {"type": "boolean"}),
    (str, {"type": "string"}),
    (type(None), {"type": "null"}),
    (float, {"$ref": "#/$defs/$float"}),
    (bytes, {"$ref": "#/$defs/$bytes"}),
    (list[int], {"type": "array", "items": {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}}),
    (tuple[()], {"type": "array", "maxItems": 0}),
    (tuple[str, bool], {"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}],
                        "items": False, "minItems": 2}),
    (dict[str, str], {"type": "object", "propertyNames": {"pattern": "^(?!\\$(?!\\$))"},
                      "additionalProperties": {"type": "string"}}),
    (Optional[str], {"anyOf": [{"type": "null"}, {"type": "string"}]}),
    (Union[str, bool], {"anyOf": [{"type": "string"}, {"type": "boolean"}]}),
    (Any, {"$ref": "#/$defs/$any"}),
    (Object, {"$ref": "#/$defs/$object"}),
])
def test_each_schema_kind_has_its_fragment(annotation, fragment):
    schema = typehost.json_schema(annotation)
    for k, v in fragment.items():
        assert schema[k] == v


def test_opaque_and_named_tuple_fields_describe_their_plain_form():
    props = typehost.json_schema(Everything)["$defs"]["tests.schema.Everything"]["properties"]
    assert props["pair"]["title"] == f"{__name__}.Pair"
    assert props["pair"]["prefixItems"] == [{"$ref": "#/$defs/$float"},
                                            {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}]
    assert props["money"]["title"] == f"{__name__}.Money"
    assert [b["type"] for b in props["money"]["anyOf"]] == ["array", "object"]


@pytest.mark.parametrize("key", ["0", "1", "-1", "10", "9223372036854775807", "-9223372036854775808",
                                 "999999999999999999", "1000000000000000000", "9223372036854775799",
                                 "-9223372036854775800"])
def test_int_key_pattern_accepts_canonical_int64(key):
    v = validator(dict[int, int])
    assert problems(v, {key: 1}) == []
    assert reads(json.dumps({key: 1}), dict[int, int])


@pytest.mark.parametrize("key", ["01", "-0", "+1", " 1", "1 ", "1.0", "1e3", "", "-", "x",
                                 "9223372036854775808", "-9223372036854775809", "10000000000000000000",
                                 "9323372036854775807", "00"])
def test_int_key_pattern_rejects_what_the_reader_rejects(key):
    v = validator(dict[int, int])
    assert problems(v, {key: 1}) != []
    assert not reads(json.dumps({key: 1}), dict[int, int])


def test_whole_registry_schema_defines_every_type_and_reads_any():
    schema = typehost.json_schema()
    assert schema["$ref"] == "#/$defs/$any"
    assert set(typehost.type_keys()) <= set(schema["$defs"])
    assert list(schema["$defs"]) == sorted(schema["$defs"])


def test_schema_of_an_unknown_key_raises_key_error():
    with pytest.raises(KeyError, match="no registered type 'tests.schema.Nope'"):
        typehost.json_schema("tests.schema.Nope")


def test_schema_is_deterministic():
    from typehost._json_schema import dumps
    first, second = dumps(typehost.json_schema()), dumps(typehost.json_schema())
    assert first == second
    assert dumps(typehost.json_schema("tests.schema.Everything")) == dumps(typehost.json_schema(Everything))


# ---------------------------------------------------------------------------------------
# Everything to_json writes validates


@pytest.mark.parametrize("seed", range(8))
def test_generated_values_of_every_field_kind_validate(seed):
    gen = Gen(seed)
    tree = ("named", "tests.schema.Everything")
    v_type, v_any = validator(Everything), validator()
    for _ in range(40):
        value = gen.value(tree)
        text = typehost.to_json(value)
        doc = json.loads(text)
        assert problems(v_type, doc) == [], text
        assert problems(v_any, doc) == [], text
        assert reads(text, Everything)


@pytest.mark.parametrize("annotation", [list[Point], dict[int, Optional[Point]], tuple[str, bytes, float],
                                        Any, Object, list[dict[str, Any]]])
def test_generated_values_of_annotations_validate(annotation):
    gen = Gen(zlib.crc32(repr(annotation).encode()))
    tree = _typehost._schema_tree(typehost.schema_of(annotation))
    v = validator(annotation)
    for _ in range(60):
        text = typehost.to_json(gen.value(tree))
        assert problems(v, json.loads(text)) == [], text
        assert reads(text, annotation)


def test_pretty_and_compact_text_validate_the_same():
    value = Gen(99).value(("named", "tests.schema.Everything"))
    v = validator(Everything)
    assert problems(v, json.loads(typehost.to_json(value, indent=2))) == []
    assert json.loads(typehost.to_json(value, indent=2)) == json.loads(typehost.to_json(value))


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled plugins (python_plugins/ and the native geometry plugin), loaded here."""
    native = [d for d in _typehost._bundled_plugin_dirs() if os.path.isfile(os.path.join(d, "libgeometry.so"))]
    if not native:
        pytest.fail("the geometry plugin is not built: cmake --build BUILD --target geometry")
    state = tmp_path_factory.mktemp("plugin-state")
    m = PluginManager([os.path.join(REPO, "python_plugins"), native[0]], timeout=30.0,
                      crash_guard=str(state / "loading.json"), config_file=str(state / "plugins.json"))
    loaded = m.load_all()
    failed = [(p.name, p.error) for p in loaded if p.state != "loaded"]
    assert not failed
    yield m
    m.unload_all()


def test_published_values_of_the_bundled_plugins_validate(bundled):
    values = typehost.published()
    assert {"shapes.scene", "notes.today", "notes.backlog", "inventory.north"} <= set(values)
    v_any = validator()
    for name, value in sorted(values.items()):
        doc = json.loads(typehost.to_json(value))
        assert problems(v_any, doc) == [], name
        if isinstance(value, Object):
            assert problems(validator(type(value)), doc) == [], name
            key = typehost.type_info(value).key
            assert problems(validator(key), doc) == [], name


def test_bundled_types_validate_what_they_write_through_the_cli_too(bundled, tmp_path):
    import subprocess
    exe = os.path.join(os.environ.get("TYPEHOST_BUILD_DIR", ""), "bin", "typehost-headless")
    if not os.path.isfile(exe):
        pytest.fail(f"typehost-headless not found at {exe}: set TYPEHOST_BUILD_DIR")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    env.pop("TYPEHOST_PLUGIN_PATH", None)
    out = tmp_path / "schema.json"
    run = subprocess.run([exe, "schema", "shapes.Group", "-o", str(out)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    schema = json.loads(out.read_text())
    assert schema["title"] == "shapes.Group"
    doc = json.loads(typehost.to_json(typehost.published()["shapes.scene"]))
    assert problems(jsonschema.Draft202012Validator(schema), doc) == []
    again = subprocess.run([exe, "schema", "shapes.Group"], env=env, capture_output=True, text=True)
    assert again.stdout == out.read_text()
    missing = subprocess.run([exe, "schema", "shapes.Nope"], env=env, capture_output=True, text=True)
    assert (missing.returncode, missing.stderr) == (1, "typehost-headless: no registered type 'shapes.Nope'\n")
    usage = subprocess.run([exe, "schema", "a", "b"], env=env, capture_output=True, text=True)
    assert usage.returncode == 2


# ---------------------------------------------------------------------------------------
# What from_json rejects, the schema rejects


P, P3, E = "tests.schema.Point", "tests.schema.Point3", "tests.schema.Everything"

REJECTED = [
    ({"x": "a"}, Point),
    ({"x": 1, "y": 2, "w": 3}, Point),
    ({"y": 1}, Point),
    ({"$type": "tests.schema.Nope", "x": 1}, Point),
    ({"$type": E, "x": 1}, Point),
    ({"$type": P, "x": 1}, Point3),
    ({"$type": 1, "x": 1}, Point),
    ({"$type": typehost.schema_of(Kind)}, Object),
    ({"x": 1}, Object),
    (None, Point),
    ([1, 2], Point),
    ({"$bytes": "A"}, bytes),
    ({"$bytes": 1}, bytes),
    ({"$bytes": "AA=A"}, bytes),
    ({"$bytes": "AA AA"}, bytes),
    ({"$bytes": "", "x": 1}, bytes),
    ("AAAA", bytes),
    ({"$float": "NaN"}, float),
    ({"$float": "nan", "x": 1}, float),
    ("1.5", float),
    (True, float),
    (True, int),
    (1.5, int),
    (2**63, int),
    (-(2**63) - 1, int),
    (1, bool),
    (0, type(None)),
    (None, str),
    ({}, list[int]),
    ([], dict[str, int]),
    ([1], tuple[int, str]),
    ([1, 2], tuple[int, str]),
    ([1, "a", 3], tuple[int, str]),
    ([1], tuple[()]),
    ({"$a": 1}, dict[str, int]),
    ({"$": 1}, dict[str, int]),
    ({"$type": "x"}, dict[str, str]),
    ({"a": "1"}, dict[str, int]),
    ("c", Literal["a", "b"]),
    (3, Literal["a", 1]),
    (True, Literal[1]),
    ("A", Kind),
    ("c", Kind),
    (2, Level),
    ("LOW", Level),
    (1.5, Union[int, str]),
    ([None], list[Union[int, str]]),
    ({"$a": 1}, Any),
    ([{"$bytes": 1}], Any),
    ({"$float": "x"}, Any),
    ({"$type": "nope"}, Any),
    ({"$type": P}, Any),
    ({"a": {"$type": P, "x": "s"}}, Any),
    (1, Money),
    ("s", Money),
    ({"$type": P, "x": 1}, Money),
    ({"a": {"$b": 1}}, Money),
    ([1.5], Pair),
    ([1.5, 2, 3], Pair),
    ([1.5, 2.5], Pair),
]


@pytest.mark.parametrize("doc, cls", REJECTED, ids=[f"{json.dumps(d)}-{typehost.schema_of(c)}" for d, c in REJECTED])
def test_documents_from_json_rejects_are_rejected_by_the_schema(doc, cls):
    text = json.dumps(doc)
    assert not reads(text, cls), text
    assert problems(validator(cls), doc) != [], text


ACCEPTED = [
    ({"x": 1}, Point),
    ({"x": 1, "$type": P3, "z": -0.0}, Point),
    ({"$type": P3, "x": 1}, Point3),
    ({"$type": P, "x": 1}, Object),
    ({"$bytes": "Zh=="}, bytes),
    ({"$bytes": ""}, bytes),
    ({"$float": "-inf"}, float),
    (18446744073709551615, float),
    (-0, int),
    ({"$$a": 1, "$$": 2, "a$": 3}, dict[str, int]),
    ({"-1": "a", "0": "b"}, dict[int, str]),
    ([], tuple[()]),
    ("b$", Kind),
    (-2, Level),
    ({"$$type": 1, "b": {"$bytes": "AA=="}, "c": [{"$type": P3, "x": 0.5}]}, Any),
    ({"amount": 1, "currency": "$x", "extra": {"$$x": [1, {"$bytes": ""}]}}, Money),
    ([1.5, 2], Pair),
    (None, Optional[Pair]),
]


@pytest.mark.parametrize("doc, cls", ACCEPTED, ids=[f"{json.dumps(d)}-{typehost.schema_of(c)}" for d, c in ACCEPTED])
def test_documents_from_json_reads_are_valid(doc, cls):
    text = json.dumps(doc)
    assert reads(text, cls), text
    assert problems(validator(cls), doc) == [], text


# Replacement values for the mutations: no integral floats (1.0 is an int to JSON Schema) and
# no integers outside int64 (a number to JSON Schema where Any is expected).
POOL = [None, True, False, 0, -7, 2**63 - 1, 1.5, -0.25, 1e300, "", "s", "$x", "a", "b$", [], [1.5, 2], {},
        {"$bytes": "AA=="}, {"$bytes": "A"}, {"$float": "nan"}, {"$float": "NaN"}, {"$$k": 1}, {"$k": 1},
        {"$type": P, "x": 0.5}, {"$type": P3, "x": 0.5, "z": 0.5}, {"$type": "tests.schema.Nope"},
        {"x": 0.5}, {"-3": "s"}, {"03": "s"}]


def _nodes(doc, path=()):
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _nodes(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _nodes(v, path + (i,))


def _mutate(doc, r: random.Random):
    doc = copy.deepcopy(doc)
    nodes = list(_nodes(doc))
    path, node = r.choice(nodes)
    op = r.randrange(5)
    if op == 0 and isinstance(node, dict) and node:
        del node[r.choice(list(node))]
    elif op == 1 and isinstance(node, dict):
        node[r.choice(["$type", "$x", "$$x", "x", "z", "w", "0", "-1", "$bytes"])] = copy.deepcopy(r.choice(POOL))
    elif op == 2 and isinstance(node, list) and node:
        del node[r.randrange(len(node))]
    elif op == 3 and isinstance(node, list):
        node.append(copy.deepcopy(r.choice(POOL)))
    elif path:
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = copy.deepcopy(r.choice(POOL))
    else:
        doc = copy.deepcopy(r.choice(POOL))
    return doc


@pytest.mark.parametrize("cls", [Everything, Point, list[Point], Any, dict[int, Optional[Point]]],
                         ids=["Everything", "Point", "list[Point]", "Any", "dict[int, Optional[Point]]"])
def test_schema_and_reader_agree_on_mutated_documents(cls):
    r = random.Random(7)
    gen = Gen(11)
    tree = _typehost._schema_tree(typehost.schema_of(cls))
    v = validator(cls)
    checked, accepted = 0, 0
    while checked < 300:
        value = gen.value(tree)
        doc = json.loads(typehost.to_json(value))
        for _ in range(r.randrange(1, 3)):
            doc = _mutate(doc, r)
        text = json.dumps(doc)
        ok_reader = reads(text, cls)
        errors = problems(v, doc)
        assert ok_reader == (not errors), (text, errors)
        checked += 1
        accepted += ok_reader
    assert 10 < accepted < 290  # both outcomes are exercised


def test_every_text_the_other_test_files_write_validates_as_the_reader_reads_it(tmp_path):
    """Runs the other test files with schema_check.py: all to_json output of the suite."""
    import glob
    import subprocess
    exe = os.path.join(os.environ.get("TYPEHOST_BUILD_DIR", ""), "bin", "typehost-headless")
    if not os.path.isfile(exe):
        pytest.fail(f"typehost-headless not found at {exe}: set TYPEHOST_BUILD_DIR")
    here = os.path.dirname(os.path.abspath(__file__))
    # This one; slow ones without JSON; and the files whose cases run in subprocesses of the
    # host (their to_json calls happen there, where schema_check does not look): rerunning them
    # here only took minutes, past the ASan run's time limit.
    skip = {"test_schema.py", "test_stubs.py", "test_memory.py", "test_adversarial.py", "test_memory_safety.py",
            "test_cli.py", "test_cli_edges.py", "test_cli_strict.py", "test_multiprocessing.py"}
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(here, "test_*.py")))
    files = [f for f in files if f not in skip]
    report = tmp_path / "report.json"
    env = dict(os.environ, TYPEHOST_SCHEMA_CHECK=str(report), PYTHONDONTWRITEBYTECODE="1",
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    # The files' own results do not matter here (they run in their own CTest tests).
    subprocess.run([exe, "--no-plugins", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "schema_check",
                    *files], cwd=here, env=env, capture_output=True, text=True, timeout=900)
    result = json.loads(report.read_text())
    assert result["checked"] > 20
    assert result["disagreements"] == []
