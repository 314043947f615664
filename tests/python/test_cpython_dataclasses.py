"""CPython 3.11's own Lib/test/test_dataclasses.py, adapted to @py_class (issue 17).

cpython_dataclasses.py rewrites the CPython test module so that its dataclasses are py_classes
and runs it, in a fresh host (a crash then names the CPython test that was running). Every
CPython test is one pytest item here: a test that passes must keep passing, and a test listed in
cpython_dataclasses_expected.txt must keep not passing (it is reported as xfail with its
category and reason); when one of them starts passing the item fails, asking to update the list.
test_outcomes_match_expected checks the whole set and the floor of passing tests.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys

import pytest

from host_script import HEADLESS, describe, host_env

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTER = os.path.join(HERE, "cpython_dataclasses.py")
EXPECTED_FILE = os.path.join(HERE, "cpython_dataclasses_expected.txt")
CPYTHON_TEST_DIR = os.environ.get("TYPEHOST_CPYTHON_TEST_DIR", "/usr/lib/python3.11/test")
CPYTHON_TEST = os.path.join(CPYTHON_TEST_DIR, "test_dataclasses.py")

# The CPython tests that pass today (220 in the file, 77 listed as not passing): the run must
# not lose tests (a rewriting or loading problem would show here first).
PASS_FLOOR = 153

if not os.path.isfile(CPYTHON_TEST):
    pytest.skip(f"CPython's test suite is not installed: {CPYTHON_TEST} is missing (Debian/Ubuntu: "
                "apt-get install libpython3.11-testsuite, or set TYPEHOST_CPYTHON_TEST_DIR)",
                allow_module_level=True)
if sys.version_info[:2] != (3, 11):
    pytest.skip(f"the expected outcomes are for CPython 3.11's test_dataclasses.py; this host runs "
                f"Python {sys.version_info[0]}.{sys.version_info[1]}", allow_module_level=True)

_GROUP = re.compile(r"^\[(bug|bug \(being fixed\)|differs-by-design|not-applicable)\]\s+(.+)$")


def read_expected(path: str = EXPECTED_FILE) -> dict[str, tuple[str, str]]:
    """{test id: (category, reason)} from the expected file (see its header)."""
    expected: dict[str, tuple[str, str]] = {}
    group = None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = _GROUP.match(line)
            if m:
                group = (m.group(1), m.group(2))
                continue
            if line.startswith("["):
                raise ValueError(f"{path}:{n}: unknown category in {line!r}")
            if group is None:
                raise ValueError(f"{path}:{n}: a test id before any [category] line")
            tid, _, note = line.partition(" -- ")
            tid = tid.strip()
            if not re.fullmatch(r"\w+\.\w+", tid):
                raise ValueError(f"{path}:{n}: not a TestClass.test_method id: {tid!r}")
            if tid in expected:
                raise ValueError(f"{path}:{n}: {tid} is listed twice")
            expected[tid] = (group[0], group[1] + (f" ({note.strip()})" if note else ""))
    return expected


def static_test_ids(path: str = CPYTHON_TEST) -> list[str]:
    """TestClass.test_method of every test method the CPython file defines (for the item names;
    the run's own list is checked against the expected file by test_outcomes_match_expected)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    ids = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Attribute) and b.attr == "TestCase" for b in node.bases):
            ids += [f"{node.name}.{item.name}" for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test")]
    return ids


EXPECTED = read_expected()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The outcomes of the adapted suite, run in a fresh host: {"stats", "outcomes"}."""
    if not os.access(HEADLESS, os.X_OK):
        pytest.fail(f"typehost-headless not found at {HEADLESS}: set TYPEHOST_BUILD_DIR")
    tmp = tmp_path_factory.mktemp("cpython_dataclasses")
    out = tmp / "outcomes.json"
    env = host_env(tmp)
    env["CPY_PROGRESS"] = "1"
    env["TYPEHOST_CPYTHON_TEST_DIR"] = CPYTHON_TEST_DIR
    r = subprocess.run([HEADLESS, "--no-plugins", "run", ADAPTER, "--json", str(out)], env=env,
                       cwd=tmp, capture_output=True, encoding="utf-8", errors="backslashreplace",
                       timeout=300)
    if r.returncode != 0 or not out.exists():
        started = re.findall(r"^@@ start (\S+)$", r.stderr, re.M)
        running = f"; the CPython test running was {started[-1]}" if started else ""
        pytest.fail(f"the adapted CPython suite did not complete{running}\n{describe(r)}", pytrace=False)
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def _detail(outcome: dict) -> str:
    text = outcome["detail"]
    if outcome["subtests_failed"]:
        text += "\nfailing subtests:\n  " + "\n  ".join(outcome["subtests_failed"])
    return text


@pytest.mark.parametrize("test_id", static_test_ids())
def test_cpython(run, test_id):
    outcome = run["outcomes"].get(test_id)
    if outcome is None:
        pytest.fail(f"{test_id} did not run (the suite the adapter loaded has no such test)", pytrace=False)
    if test_id in EXPECTED:
        category, reason = EXPECTED[test_id]
        if outcome["status"] == "pass":
            pytest.fail(f"{test_id} now passes: remove it from {os.path.basename(EXPECTED_FILE)} "
                        f"(it was listed as [{category}] {reason})", pytrace=False)
        pytest.xfail(f"[{category}] {reason}")
    if outcome["status"] != "pass":
        pytest.fail(f"{test_id}: {outcome['status']} (not listed in {os.path.basename(EXPECTED_FILE)})\n"
                    f"{_detail(outcome)}", pytrace=False)


def test_outcomes_match_expected(run):
    outcomes = run["outcomes"]
    not_passing = {tid for tid, o in outcomes.items() if o["status"] != "pass"}
    new = sorted(not_passing - set(EXPECTED))
    fixed = sorted(tid for tid in EXPECTED if outcomes.get(tid, {}).get("status") == "pass")
    unknown = sorted(tid for tid in EXPECTED if tid not in outcomes)
    problems = []
    if new:
        problems.append("not passing and not listed:\n" + "\n".join(
            f"--- {tid}: {outcomes[tid]['status']}\n{_detail(outcomes[tid])}" for tid in new))
    if fixed:
        problems.append("listed but passing now (remove them from the list): " + ", ".join(fixed))
    if unknown:
        problems.append("listed but not in the suite: " + ", ".join(unknown))
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
    passed = sum(1 for o in outcomes.values() if o["status"] == "pass")
    if passed < PASS_FLOOR:
        pytest.fail(f"{passed} CPython tests pass, fewer than the floor {PASS_FLOOR}", pytrace=False)
    if run["stats"]["tests"] != len(outcomes):
        pytest.fail(f"{run['stats']['tests']} tests ran but {len(outcomes)} have an outcome", pytrace=False)
