"""CPython 3.11's own dataclasses tests, run against @py_class (issue 17).

Reads Lib/test/test_dataclasses.py (Debian: libpython3.11-testsuite) at run time, rewrites it
with `ast` and runs its unittest suite in this interpreter; nothing of CPython's test code is
copied into this repository. The rewriting, which keeps the tests themselves as they are:

- every class decorated with `@dataclass`, `@dataclass(...)`, `@dataclasses.dataclass` or
  `@dataclasses.dataclass(...)` is decorated with `py_class(<unique key>, **the same options)`
  instead. The key (`cpy.t<n>.<ClassName>`) is made when the decorator runs, so a class
  statement that runs twice (a loop, a subTest) registers two types;
- such a class gets `typehost.Object` as its last base unless one of its bases already derives
  from it (`class C(B)` with B a py_class stays as it is; `class C(Plain)` becomes
  `class C(Plain, Object)`): the decision is made at run time, by `_cpy_bases(...)`;
- `type(name, bases, ns)` calls (the tests that build a class dynamically, then decorate it)
  get the same treatment of their bases;
- `dataclass(cls, ...)` called as a function and `make_dataclass(...)` go to the shims below,
  which use py_class (make_dataclass is dataclasses' own, its final dataclass() call
  routed to py_class);
- the helper modules the tests import (`test.dataclass_module_1` and friends,
  `test.dataclass_textanno`) are rewritten the same way and put in `sys.modules` while the
  suite runs.

`dataclasses.fields`, `asdict`, `astuple`, `replace`, `is_dataclass` and `field` are the
dataclasses module's own (registered classes are dataclasses to it: docs/python-api.md).

`run()` returns {test id: Outcome}; a test id is `TestClass.test_method`. Run as a script
(`typehost-headless --no-plugins run cpython_dataclasses.py [--json OUT] [pattern...]`) it
prints a summary, or writes the outcomes as JSON.
"""

from __future__ import annotations

import ast
import dataclasses
import faulthandler
import itertools
import json
import keyword
import os
import sys
import traceback
import types
import unittest

from typehost import Object, py_class

CPYTHON_TEST_DIR = os.environ.get("TYPEHOST_CPYTHON_TEST_DIR", "/usr/lib/python3.11/test")
TEST_FILE = os.path.join(CPYTHON_TEST_DIR, "test_dataclasses.py")
HELPER_MODULES = ("dataclass_module_1", "dataclass_module_1_str", "dataclass_module_2",
                  "dataclass_module_2_str", "dataclass_textanno")
MODULE_NAME = "cpython_test_dataclasses"

_counter = itertools.count()


def available() -> bool:
    return os.path.isfile(TEST_FILE)


# ---------------------------------------------------------------------------------------
# Run-time helpers the rewritten code calls (injected into each rewritten module)


def _cpy_key(name: str) -> str:
    """A fresh type key for one decoration of the class `name`."""
    return f"cpy.t{next(_counter)}.{name}"


def _derives_from_object(base) -> bool:
    origin = getattr(base, "__origin__", base)  # Generic aliases: B[int]
    return isinstance(origin, type) and issubclass(origin, Object)


def _cpy_bases(*bases):
    """The bases of a class py_class will decorate: Object last unless a base has it
    (`object` itself, which `class C(object)` names, is left out: it is Object's base)."""
    if any(_derives_from_object(b) for b in bases):
        return bases
    return (*(b for b in bases if b is not object), Object)


def _cpy_dataclass(cls=None, /, **options):
    """`dataclass(cls, ...)` / `dataclass(...)(cls)` called as a function."""
    def wrap(c):
        return py_class(_cpy_key(getattr(c, "__name__", "C")), **options)(c)
    return wrap if cls is None else wrap(cls)


def _cpy_make_dataclass(cls_name, fields, *, bases=(), **options):
    """dataclasses.make_dataclass itself, with Object among the bases and its closing
    `dataclass(cls, ...)` call routed to py_class. make_dataclass always passes slots and
    weakref_slot; py_class gets them only when the caller gave them."""
    key = _cpy_key(cls_name if isinstance(cls_name, str) and cls_name.isidentifier()
                   and not keyword.iskeyword(cls_name) else "C")

    def decorate(cls, /, *, slots, weakref_slot, **opts):
        if "slots" in options:
            opts["slots"] = slots
        if "weakref_slot" in options:
            opts["weakref_slot"] = weakref_slot
        return py_class(key, **opts)(cls)

    saved = dataclasses.dataclass
    dataclasses.dataclass = decorate
    try:
        return dataclasses.make_dataclass(cls_name, fields, bases=_cpy_bases(*bases), **options)
    finally:
        dataclasses.dataclass = saved


# ---------------------------------------------------------------------------------------
# The rewriting


def _is_dataclass_ref(node: ast.expr) -> bool:
    return ((isinstance(node, ast.Name) and node.id == "dataclass")
            or (isinstance(node, ast.Attribute) and node.attr == "dataclass"
                and isinstance(node.value, ast.Name) and node.value.id == "dataclasses"))


def _name(id_: str) -> ast.Name:
    return ast.Name(id=id_, ctx=ast.Load())


class _Rewriter(ast.NodeTransformer):
    def __init__(self):
        self.classes = 0       # class statements made py_classes
        self.calls = 0         # dataclass(...) / make_dataclass(...) calls redirected
        self.type_calls = 0    # type(name, bases, ns) calls given Object
        self.load_error = None # a helper module that failed to load: why

    def visit_ClassDef(self, node: ast.ClassDef):
        decorated = False
        for i, deco in enumerate(node.decorator_list):
            if _is_dataclass_ref(deco):
                args, keywords = [], []
            elif isinstance(deco, ast.Call) and _is_dataclass_ref(deco.func):
                args, keywords = deco.args, deco.keywords
            else:
                continue
            key = ast.Call(func=_name("_cpy_key"), args=[ast.Constant(node.name)], keywords=[])
            node.decorator_list[i] = ast.Call(func=_name("_cpy_py_class"), args=[key, *args],
                                              keywords=keywords)
            decorated = True
        if decorated:
            self.classes += 1
            node.bases = [ast.Starred(value=ast.Call(func=_name("_cpy_bases"), args=node.bases,
                                                     keywords=[]), ctx=ast.Load())]
        self.generic_visit(node)  # after: the decorators are no longer dataclass(...) calls
        return node

    def visit_Call(self, node: ast.Call):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == "dataclass":
            node.func = _name("_cpy_dataclass")
            self.calls += 1
        elif isinstance(node.func, ast.Name) and node.func.id == "make_dataclass":
            node.func = _name("_cpy_make_dataclass")
            self.calls += 1
        elif (isinstance(node.func, ast.Name) and node.func.id == "type" and len(node.args) == 3
              and not node.keywords):
            node.args[1] = ast.Call(func=_name("_cpy_bases_tuple"), args=[node.args[1]], keywords=[])
            self.type_calls += 1
        return node


def rewrite(source: str, filename: str) -> tuple[types.CodeType, _Rewriter]:
    tree = ast.parse(source, filename)
    rewriter = _Rewriter()
    tree = ast.fix_missing_locations(rewriter.visit(tree))
    return compile(tree, filename, "exec", dont_inherit=True), rewriter


def _load(name: str, path: str) -> tuple[types.ModuleType, _Rewriter]:
    with open(path, encoding="utf-8") as f:
        code, rewriter = rewrite(f.read(), path)
    module = types.ModuleType(name)
    module.__file__ = path
    module.__dict__.update(_cpy_py_class=py_class, _cpy_key=_cpy_key, _cpy_bases=_cpy_bases,
                           _cpy_bases_tuple=lambda bases: _cpy_bases(*bases),
                           _cpy_dataclass=_cpy_dataclass, _cpy_make_dataclass=_cpy_make_dataclass)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102 - the rewritten CPython test module
    except Exception as e:
        if name == MODULE_NAME:
            raise
        # A helper module that fails part-way: the tests that read it fail with the reason.
        error = "".join(traceback.format_exception_only(type(e), e)).strip()

        def __getattr__(attr, error=error):
            raise AttributeError(f"{name}.{attr}: the rewritten module failed to load: {error}")
        module.__getattr__ = __getattr__
        rewriter.load_error = error
    return module, rewriter


# ---------------------------------------------------------------------------------------
# Running


@dataclasses.dataclass
class Outcome:
    status: str            # pass, fail, error, skip, xfail, xpass
    detail: str = ""       # the (first) traceback, or the skip reason
    subtests_failed: list = dataclasses.field(default_factory=list)  # "[params] Error: message"

    def to_json(self):
        return dataclasses.asdict(self)


def _test_id(test) -> str:
    parts = test.id().split(".")
    return ".".join(parts[-2:])


class _Result(unittest.TestResult):
    def __init__(self, outcomes: dict, progress):
        super().__init__()
        self.outcomes = outcomes
        self.progress = progress

    def _put(self, test, status, detail=""):
        tid = _test_id(test)
        prev = self.outcomes.get(tid)
        if prev is not None and prev.status in ("fail", "error"):
            return  # a failed subtest decided it
        self.outcomes[tid] = Outcome(status, detail)

    def _tb(self, err) -> str:
        return "".join(traceback.format_exception(*err))[-6000:]

    def startTest(self, test):
        super().startTest(test)
        if self.progress:
            self.progress.write(f"@@ start {_test_id(test)}\n")
            self.progress.flush()

    def addSuccess(self, test):
        self._put(test, "pass")

    def addFailure(self, test, err):
        self._put(test, "fail", self._tb(err))

    def addError(self, test, err):
        self._put(test, "error", self._tb(err))

    def addSkip(self, test, reason):
        self._put(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        self._put(test, "xfail", self._tb(err))

    def addUnexpectedSuccess(self, test):
        self._put(test, "xpass")

    def addSubTest(self, test, subtest, err):
        if err is None:
            return
        tid = _test_id(test)
        last = "".join(traceback.format_exception_only(err[0], err[1])).strip().splitlines()
        line = f"{subtest._subDescription()} {last[-1] if last else ''}"[:300]
        prev = self.outcomes.get(tid)
        if prev is not None and prev.status in ("fail", "error"):
            prev.subtests_failed.append(line)
            return
        status = "fail" if issubclass(err[0], test.failureException) else "error"
        self.outcomes[tid] = Outcome(status, f"{subtest._subDescription()}\n" + self._tb(err), [line])


def run(patterns=(), progress=None) -> tuple[dict[str, Outcome], dict]:
    """Runs the rewritten suite: ({test id: Outcome}, statistics of the rewriting).
    `patterns`: test ids or prefixes (TestCase, TestCase.test_x) to run only those."""
    if not available():
        raise FileNotFoundError(TEST_FILE)
    import test as test_package  # the stdlib test package (libpython3.11-testsuite)
    saved = {name: sys.modules.get(f"test.{name}") for name in HELPER_MODULES}
    saved_attrs = {name: test_package.__dict__.get(name) for name in HELPER_MODULES}
    stats = {"classes": 0, "calls": 0, "type_calls": 0}
    try:
        for name in HELPER_MODULES:
            path = os.path.join(CPYTHON_TEST_DIR, name + ".py")
            if os.path.isfile(path):
                module, rw = _load(f"test.{name}", path)
                setattr(test_package, name, module)
                stats["classes"] += rw.classes
                if rw.load_error:
                    stats.setdefault("load_errors", {})[name] = rw.load_error
        module, rw = _load(MODULE_NAME, TEST_FILE)
        stats["classes"] += rw.classes
        stats["calls"] += rw.calls
        stats["type_calls"] += rw.type_calls
        suite = unittest.TestLoader().loadTestsFromModule(module)
        tests = list(_flatten(suite))
        if patterns:
            tests = [t for t in tests if any(_test_id(t) == p or _test_id(t).startswith(p + ".")
                                             for p in patterns)]
        outcomes: dict[str, Outcome] = {}
        result = _Result(outcomes, progress)
        unittest.TestSuite(tests).run(result)
        # Class- or module-level failures (setUpClass) have no test of their own.
        for test, err in result.errors:
            if isinstance(test, unittest.suite._ErrorHolder):  # type: ignore[attr-defined]
                outcomes[test.description] = Outcome("error", err)
        stats["tests"] = len(tests)
        return outcomes, stats
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(f"test.{name}", None)
            else:
                sys.modules[f"test.{name}"] = module
            if saved_attrs[name] is None:
                test_package.__dict__.pop(name, None)
            else:
                setattr(test_package, name, saved_attrs[name])
        sys.modules.pop(MODULE_NAME, None)


def _flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flatten(t)
        else:
            yield t


def main(argv):
    out_json = None
    if argv[:1] == ["--json"]:
        out_json, argv = argv[1], argv[2:]
    verbose = "-v" in argv
    argv = [a for a in argv if a != "-v"]
    faulthandler.enable()
    outcomes, stats = run(argv, progress=sys.stderr if os.environ.get("CPY_PROGRESS") else None)
    if out_json:
        with open(out_json, "w", encoding="utf-8") as f:
            json.dump({"stats": stats, "outcomes": {k: v.to_json() for k, v in outcomes.items()}}, f,
                      indent=1, sort_keys=True)
    counts: dict[str, int] = {}
    for o in outcomes.values():
        counts[o.status] = counts.get(o.status, 0) + 1
    for tid, o in sorted(outcomes.items()):
        if o.status != "pass":
            print(f"{o.status:5} {tid}")
            if verbose:
                print("    " + o.detail.replace("\n", "\n    "))
    print(json.dumps(stats), json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
