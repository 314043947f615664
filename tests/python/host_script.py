"""Runs a reproduction script in a fresh host process and reads its outcomes: the harness of the
tests whose cases can take a process down (test_memory_safety, test_adversarial).

A script is PRELUDE + the file's own prelude + the case's code parts (each dedented), run as
`$TYPEHOST_BUILD_DIR/bin/typehost-headless --no-plugins run repro.py` (so the script is the real
`__main__`), with the user's plugin path and XDG directories kept out. It prints one
`@@ label ok <ascii(value)>` or `@@ label raised <Type>: <ascii(message)>` line per step
(`report`); `outcomes` reads them after checking that the host exited normally: no signal, no
"terminate called", no AddressSanitizer report.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import textwrap
import pytest

BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")
HEADLESS = os.path.join(BUILD_DIR, "bin", "typehost-headless")

# The start of every script.
PRELUDE = '''\
import atexit, copy, dataclasses, enum, gc, json, pickle, sys, threading, time, weakref
from typing import Any, Literal, NamedTuple, Optional, Union
import _typehost
import typehost
from typehost import Object, field, py_class


def report(label, fn):
    try:
        value = fn()
    except BaseException as e:  # noqa: B902 - KeyboardInterrupt/SystemExit are outcomes too
        print(f"@@ {label} raised {type(e).__name__}: {ascii(str(e))}", flush=True)
    else:
        if isinstance(value, (typehost.List, typehost.Dict)):
            value = value.copy()   # printed as the plain list/dict it equals
        print(f"@@ {label} ok {ascii(value)}", flush=True)

'''


def host_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "TYPEHOST_PLUGIN_PATH"}
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class HostScript:
    """Scripts made of PRELUDE + prelude + a case's code parts."""

    def __init__(self, prelude: str = ""):
        self.prelude = prelude

    def run(self, tmp_path, *code: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs the script in a fresh host; the CompletedProcess."""
        if not os.access(HEADLESS, os.X_OK):
            pytest.fail(f"typehost-headless not found at {HEADLESS}: set TYPEHOST_BUILD_DIR")
        script = tmp_path / "repro.py"
        script.write_text(PRELUDE + self.prelude + "\n".join(textwrap.dedent(c) for c in code), encoding="utf-8")
        return subprocess.run([HEADLESS, "--no-plugins", "run", str(script)], env=host_env(tmp_path),
                              cwd=tmp_path, capture_output=True, encoding="utf-8", errors="backslashreplace",
                              timeout=timeout)

    def cases(self, tmp_path, *code: str, **kw) -> dict:
        """Runs the script; its outcomes (the host must exit normally)."""
        return outcomes(self.run(tmp_path, *code, **kw))


def describe(r: subprocess.CompletedProcess) -> str:
    status = f"exit status {r.returncode}"
    if r.returncode < 0:
        try:
            status = f"killed by {signal.Signals(-r.returncode).name}"
        except ValueError:
            status = f"killed by signal {-r.returncode}"
    return f"host {status}\n--- stdout (tail)\n{r.stdout[-3000:]}\n--- stderr (tail)\n{r.stderr[-3000:]}"


def assert_exited_normally(r: subprocess.CompletedProcess, status: int = 0):
    if (r.returncode != status or "terminate called" in r.stderr
            or "ERROR: AddressSanitizer" in r.stderr):
        pytest.fail(f"expected exit status {status}; {describe(r)}", pytrace=False)


def outcomes(r: subprocess.CompletedProcess) -> dict:
    """The `@@ label ...` lines of a host that must have exited with status 0."""
    assert_exited_normally(r)
    out = {}
    for line in r.stdout.splitlines():
        if line.startswith("@@ "):
            label, _, rest = line[3:].partition(" ")
            out[label] = rest
    return out


def expect(out: dict, label: str, *patterns: str):
    """out[label] matches one of the regular expressions (fullmatch)."""
    assert label in out, f"no outcome for {label!r}; got {out}"
    assert any(re.fullmatch(p, out[label], re.S) for p in patterns), \
        f"{label}: got {out[label]!r}, expected one of {patterns}"


def ok(value) -> str:
    """The pattern of `@@ label ok <value>`."""
    return re.escape(f"ok {ascii(value)}")


RAISED = r"raised \w+: .*"


def raised(*types: str) -> str:
    return rf"raised ({'|'.join(types)}): .*"
