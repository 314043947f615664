"""typehost vs dataclasses, attrs and pydantic, side by side in one host process.

Run inside the host (the embedded interpreter is what users get):

    build/bin/typehost-headless --no-plugins run bench/bench_python.py [--quick]

Prints ns per operation (best of several repeats) and the ratio to @dataclass(slots=True),
and checks each figure against the targets of the host issue. Exit status is 0 either way:
this is a measurement, not a test.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import json
import sys
import time
import timeit
import tracemalloc

import attr
import pydantic

import typehost
from typehost import Object, field, py_class

QUICK = "--quick" in sys.argv
REPEAT = 3 if QUICK else 7


def best_ns(stmt, number, setup=None):
    """Best time per call over REPEAT runs of `number` calls, in ns."""
    g = {"f": stmt}
    if setup:
        g.update(setup)
    t = timeit.Timer("f()", globals=g)
    return min(t.repeat(repeat=REPEAT, number=number)) / number * 1e9


# ---------------------------------------------------------------------------------------
# The record, five ways: 2 positional + 3 keyword arguments.


@py_class("bench.Record")
class THRecord(Object):
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@dataclasses.dataclass(slots=True)
class DCSlots:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@dataclasses.dataclass
class DC:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@attr.s(auto_attribs=True, slots=True)
class AttrsRecord:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


class PydRecord(pydantic.BaseModel):
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


# Hashable (frozen) variants for the hash benchmark.
@py_class("bench.FrozenRecord", frozen=True)
class THFrozen(Object):
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@dataclasses.dataclass(slots=True, frozen=True)
class DCSlotsFrozen:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@dataclasses.dataclass(frozen=True)
class DCFrozen:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


@attr.s(auto_attribs=True, slots=True, frozen=True)
class AttrsFrozen:
    x: float
    y: float
    name: str = ""
    count: int = 0
    active: bool = False


PEERS = [
    ("typehost", THRecord, THFrozen),
    ("dataclass(slots=True)", DCSlots, DCSlotsFrozen),
    ("dataclass", DC, DCFrozen),
    ("attrs(slots=True)", AttrsRecord, AttrsFrozen),
    ("pydantic 1.10", PydRecord, None),
]
BASE = "dataclass(slots=True)"

results: dict[str, dict[str, float]] = {}


def record(op: str, peer: str, value: float):
    results.setdefault(op, {})[peer] = value


def stmt_ns(stmt: str, number: int, **names) -> float:
    """Best time per execution of a statement (no function call around it), in ns."""
    t = timeit.Timer(stmt, globals=names)
    return min(t.repeat(repeat=REPEAT, number=number)) / number * 1e9


def bench_basic_ops():
    n = 20_000 if QUICK else 200_000
    for peer, cls, frozen in PEERS:
        if cls is PydRecord:  # pydantic takes keyword arguments only
            construct = "C(x=1.0, y=2.0, name='a', count=3, active=True)"
        else:
            construct = "C(1.0, 2.0, name='a', count=3, active=True)"
        record("construct", peer, stmt_ns(construct, n, C=cls))
        obj, other = eval(construct, {"C": cls}), eval(construct, {"C": cls})
        record("get", peer, stmt_ns("o.x", n * 10, o=obj))
        record("set", peer, stmt_ns("o.x = 3.0", n * 10 if cls is not PydRecord else n, o=obj))
        record("==", peer, stmt_ns("a == b", n * 2, a=obj, b=other))
        if frozen is not None:
            h = eval(construct, {"C": frozen})
            record("hash", peer, stmt_ns("hash(h)", n * 2, h=h))


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                 "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2


def malloc_in_use() -> int:
    """Bytes in use from glibc's malloc heap (C++ storage; pymalloc's arenas are mmap'd)."""
    return _libc.mallinfo2().uordblks


def bench_memory():
    """Bytes per record: Python objects (tracemalloc) plus the malloc heap (C++ storage),
    measured in separate passes because tracemalloc keeps its own records in that heap.

    The heap pass runs first: typesys keeps freed object storage in its pool for reuse, so a
    second build would not grow the heap. The list holding the records is made before either
    pass starts, so its 8 bytes per record are counted for no peer."""
    n = 20_000 if QUICK else 100_000

    def build(cls, objs):
        for i in range(n):
            objs[i] = cls(x=float(i), y=float(i) * 0.5, name="rec", count=i, active=bool(i & 1))

    def build_bag(cls, objs):
        # #15: a record with a 3-element list[str] field (plus its empty list and dict fields)
        for i in range(n):
            objs[i] = cls(x=float(i), y=float(i) * 0.5, name="rec", count=i, tags=["a", "b", "c"])

    runs = [("memory (bytes/record)", build, [(peer, cls) for peer, cls, _ in PEERS]),
            ("memory (bytes/record with list)", build_bag, [(peer, cls) for peer, cls, _ in CONTAINER_PEERS])]
    for op, make, peers in runs:
        for peer, cls in peers:
            record(op, peer, _bytes_per_record(make, cls, n))


def _bytes_per_record(build, cls, n):
    """One peer's bytes per record (see bench_memory)."""
    objs = [None] * n
    gc.collect()
    before = malloc_in_use()
    build(cls, objs)
    heap_bytes = max(0, malloc_in_use() - before)
    objs[:] = [None] * n
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    build(cls, objs)
    python_bytes = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del objs
    return (python_bytes + heap_bytes) / n


# ---------------------------------------------------------------------------------------
# JSON: one record and 10k nested records


@py_class("bench.Point")
class THPoint(Object):
    x: float
    y: float


@py_class("bench.Item")
class THItem(Object):
    id: int
    name: str
    score: float
    tags: list[str]
    origin: THPoint
    active: bool


@dataclasses.dataclass(slots=True)
class DCPoint:
    x: float
    y: float


@dataclasses.dataclass(slots=True)
class DCItem:
    id: int
    name: str
    score: float
    tags: list
    origin: DCPoint
    active: bool


class PydPoint(pydantic.BaseModel):
    x: float
    y: float


class PydItem(pydantic.BaseModel):
    id: int
    name: str
    score: float
    tags: list[str]
    origin: PydPoint
    active: bool


def bench_json():
    n = 10_000
    th_items = [THItem(i, f"item-{i}", i * 0.25, ["a", "b", f"t{i % 7}"], THPoint(i * 1.5, -i * 0.5), bool(i & 1))
                for i in range(n)]
    dc_items = [DCItem(i, f"item-{i}", i * 0.25, ["a", "b", f"t{i % 7}"], DCPoint(i * 1.5, -i * 0.5), bool(i & 1))
                for i in range(n)]
    number = 3 if QUICK else 10
    t_th = best_ns(lambda: typehost.to_json(th_items), number)
    t_dc = best_ns(lambda: json.dumps([dataclasses.asdict(x) for x in dc_items]), number)
    record("10k records to JSON", "typehost", t_th)
    record("10k records to JSON", "json.dumps(asdict)", t_dc)
    text = typehost.to_json(th_items)
    record_text = json.dumps([dataclasses.asdict(x) for x in dc_items])
    t_th_r = best_ns(lambda: typehost.from_json(text, list[THItem]), number)
    t_pyd_r = best_ns(lambda: pydantic.parse_raw_as(list[PydItem], record_text), max(1, number // 3))
    record("JSON to 10k records", "typehost", t_th_r)
    record("JSON to 10k records", "pydantic parse_raw_as", t_pyd_r)
    one_th, one_dc = th_items[0], dc_items[0]
    record("1 record to JSON", "typehost", best_ns(lambda: typehost.to_json(one_th), 20_000))
    record("1 record to JSON", "json.dumps(asdict)", best_ns(lambda: json.dumps(dataclasses.asdict(one_dc)), 20_000))
    one_text = typehost.to_json(one_th)
    record("1 record from JSON", "typehost", best_ns(lambda: typehost.from_json(one_text, THItem), 20_000))
    one_pyd = json.dumps(dataclasses.asdict(one_dc))
    record("1 record from JSON", "pydantic parse_raw", best_ns(lambda: PydItem.parse_raw(one_pyd), 20_000))
    results["_json_size"] = {"bytes": float(len(text))}


# ---------------------------------------------------------------------------------------
# Decorating a 10-field class


def bench_decorate():
    counter = iter(range(10**9))

    def make_ns():
        ns = {"__annotations__": {f"f{i}": (float if i % 2 else int) for i in range(10)}, "__module__": __name__}
        for i in range(5, 10):
            ns[f"f{i}"] = 0.0 if i % 2 else 0
        return ns

    def th():
        cls = type(Object)("Ten", (Object,), make_ns())
        py_class(f"bench.decorate.T{next(counter)}")(cls)

    def dc():
        cls = type("Ten", (), make_ns())
        dataclasses.dataclass(cls)

    def dcs():
        cls = type("Ten", (), make_ns())
        dataclasses.dataclass(slots=True)(cls)

    n = 100 if QUICK else 400
    record("decorate 10 fields", "typehost", best_ns(th, n))
    record("decorate 10 fields", "dataclass", best_ns(dc, n))
    record("decorate 10 fields", "dataclass(slots=True)", best_ns(dcs, n))


# ---------------------------------------------------------------------------------------
# Containers and str fields (#15): the same statement on a typehost record and on a
# @dataclass(slots=True) record holding a plain list/dict, in this process.


@py_class("bench.Bag")
class THBag(Object):
    x: float
    y: float
    name: str = ""
    count: int = 0
    tags: list[str] = field(default_factory=list)
    d: dict[str, int] = field(default_factory=dict)
    pts: list[float] = field(default_factory=list)


@dataclasses.dataclass(slots=True)
class DCBag:
    x: float
    y: float
    name: str = ""
    count: int = 0
    tags: list = dataclasses.field(default_factory=list)
    d: dict = dataclasses.field(default_factory=dict)
    pts: list = dataclasses.field(default_factory=list)


@py_class("bench.FrozenTriple", frozen=True)
class THTriple(Object):
    n: int
    x: float
    s: str


@dataclasses.dataclass(slots=True, frozen=True)
class DCTriple:
    n: int
    x: float
    s: str


CONTAINER_PEERS = [("typehost", THBag, THTriple), (BASE, DCBag, DCTriple)]

# (operation, statement, relative number of runs)
CONTAINER_OPS = [
    ("read list field", "o.tags", 10),
    ("read dict field", "o.d", 10),
    ("read str field", "o.name", 10),
    ("read int field", "o.count", 10),
    ("len(list)", "len(o.tags)", 10),
    ("list[i]", "o.tags[5]", 10),
    ("list[i] = v", "o.tags[3] = 'y'", 10),
    ("v in list", "'t7' in o.tags", 5),
    ("k in dict", "'k5' in o.d", 10),
    ("dict[k]", "o.d['k5']", 10),
    ("dict.get(k)", "o.d.get('k5')", 10),
    ("append + pop", "o.tags.append('x'); o.tags.pop()", 5),
    ("sum(1000 floats)", "sum(o.pts)", 0.02),
    ("for x in 1000 floats", "for v in o.pts: pass", 0.02),
    ("list(d.items()) 100", "list(o.d.items())", 0.2),
    ("== 100 list[str]", "o.tags == p.tags", 0.5),
    ("construct with tags=['a']", "C(1.0, 2.0, name='a', count=3, tags=['a'])", 1),
    ("construct with 100 strs", "C(1.0, 2.0, name='a', count=3, tags=L)", 0.2),
    ("hash frozen 3 fields", "hash(h)", 5),
]


def bench_containers():
    n = 10_000 if QUICK else 100_000
    tags = [f"t{i}" for i in range(100)]
    for peer, cls, triple in CONTAINER_PEERS:
        o = cls(1.0, 2.0, name="a", count=3, tags=list(tags), d={f"k{i}": i for i in range(100)},
                pts=[float(i) for i in range(1000)])
        p = cls(1.0, 2.0, name="a", count=3, tags=list(tags))
        h = triple(1, 2.0, "three")
        names = dict(o=o, p=p, C=cls, L=tags, h=h)
        for op, stmt, rel in CONTAINER_OPS:
            record(op, peer, stmt_ns(stmt, max(1, int(n * rel)), **names))
    # The identity dataclasses give (a field returns the object it holds).
    o = THBag(1.0, 2.0, tags=["a"], d={"k": 1})
    print(f"identity: o.tags is o.tags: {o.tags is o.tags}; o.d is o.d: {o.d is o.d}; "
          f"o.name is o.name: {o.name is o.name}")


TARGETS = [
    # (operation, numerator peer, denominator peer, max ratio)
    ("construct", "typehost", BASE, 0.5),
    ("get", "typehost", BASE, 3.5),
    ("set", "typehost", BASE, 4.0),
    ("==", "typehost", BASE, 0.3),
    ("memory (bytes/record)", "typehost", BASE, 0.8),
    ("memory (bytes/record with list)", "typehost", BASE, 0.9),
    ("10k records to JSON", "typehost", "json.dumps(asdict)", 0.05),
    ("JSON to 10k records", "typehost", "pydantic parse_raw_as", 0.05),
    ("decorate 10 fields", "typehost", "dataclass", 0.5),
    # containers and str fields (#15)
    ("read list field", "typehost", BASE, 1.5),
    ("read dict field", "typehost", BASE, 1.5),
    ("read str field", "typehost", BASE, 1.5),
    ("read int field", "typehost", BASE, 3.0),
    ("len(list)", "typehost", BASE, 2.0),
    ("list[i]", "typehost", BASE, 2.0),
    ("list[i] = v", "typehost", BASE, 2.0),
    ("v in list", "typehost", BASE, 2.0),
    ("k in dict", "typehost", BASE, 2.0),
    ("dict[k]", "typehost", BASE, 2.0),
    ("dict.get(k)", "typehost", BASE, 2.0),
    ("append + pop", "typehost", BASE, 2.5),
    ("sum(1000 floats)", "typehost", BASE, 2.0),
    ("for x in 1000 floats", "typehost", BASE, 2.0),
    ("list(d.items()) 100", "typehost", BASE, 2.0),
    ("== 100 list[str]", "typehost", BASE, 2.0),
    ("construct with tags=['a']", "typehost", BASE, 0.5),
    ("construct with 100 strs", "typehost", BASE, 4.0),
    ("hash frozen 3 fields", "typehost", BASE, 0.5),
]


def report():
    size = results.pop("_json_size", {}).get("bytes", 0)
    print(f"Python {sys.version.split()[0]} (embedded in typehost-headless){' [quick]' if QUICK else ''}")
    for op, peers in results.items():
        unit = "bytes" if op.startswith("memory") else "ns"
        base = peers.get(BASE)
        print(f"\n{op}")
        for peer, value in peers.items():
            ratio = f"{value / base:6.2f}x" if base and op not in ("10k records to JSON", "JSON to 10k records",
                                                                   "1 record to JSON", "1 record from JSON") else ""
            shown = f"{value / 1e6:10.2f} ms" if value > 1e6 and unit == "ns" else f"{value:10.1f} {unit}"
            print(f"  {peer:<24}{shown}  {ratio}")
    if size:
        th_w = results["10k records to JSON"]["typehost"]
        th_r = results["JSON to 10k records"]["typehost"]
        print(f"\n10k records: {size / 1e6:.2f} MB of JSON; typehost writes {size / th_w * 1e3:.0f} MB/s, "
              f"reads+validates {size / th_r * 1e3:.0f} MB/s")
    print("\nTargets (typehost / peer):")
    for op, num, den, limit in TARGETS:
        peers = results.get(op, {})
        if num not in peers or den not in peers:
            continue
        ratio = peers[num] / peers[den]
        verdict = "ok" if ratio <= limit else "MISSED"
        print(f"  {op:<24} {ratio:7.3f}x of {den:<24} target <= {limit}x  {verdict}")


def main():
    started = time.perf_counter()
    only = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")]
    if only and only[0] == "containers":   # --only=containers: the #15 section alone
        bench_containers()
        bench_memory()
        report()
        return
    bench_basic_ops()
    bench_containers()
    bench_memory()
    bench_json()
    bench_decorate()
    report()
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
