"""multiprocessing inside typehost-headless (issue 16): every start method works, children load
the parent's plugins, and py_class instances (of a script and of a plugin) pickle across."""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")
HEADLESS = os.path.join(BUILD_DIR, "bin", "typehost-headless")
pytestmark = pytest.mark.skipif(not os.access(HEADLESS, os.X_OK), reason="typehost-headless is not built")

PLUGIN = """
    from typehost import Object, py_class

    @py_class("tests.mp.Job")
    class Job(Object):
        n: int
        label: str = ""
"""

SCRIPT = """
    import multiprocessing as mp
    import sys
    from typehost import Object, py_class
    from mp_jobs import Job

    @py_class("tests.mp.Local")
    class Local(Object):
        x: float = 0.0

    def work(job):
        return Job(job.n * 2, label=f"done {job.label}"), Local(job.n / 2)

    if __name__ == "__main__":
        method = sys.argv[1]
        with mp.get_context(method).Pool(2) as pool:
            out = pool.map(work, [Job(1, label="a"), Job(2, label="b")])
        print(method, [(j.n, j.label, type(j).__name__, l.x) for j, l in out], flush=True)
"""


def env(tmp_path) -> dict:
    e = {k: v for k, v in os.environ.items() if k not in ("TYPEHOST_PLUGIN_PATH", "TYPEHOST_CHILD_OPTIONS")}
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        e[var] = str(tmp_path / "xdg" / var.lower())
    return e


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_a_pool_of_every_start_method_runs_with_the_parents_plugins(tmp_path, method):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "mp_jobs.py").write_text(textwrap.dedent(PLUGIN))
    script = tmp_path / "pool.py"
    script.write_text(textwrap.dedent(SCRIPT))
    r = subprocess.run([HEADLESS, "--no-bundled", "--plugins", str(plugins), "run", str(script), method],
                       env=env(tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout == f"{method} [(2, 'done a', 'Job', 0.5), (4, 'done b', 'Job', 1.0)]\n", r.stderr[-3000:]


def test_sys_executable_stays_a_real_python(tmp_path):
    r = subprocess.run([HEADLESS, "--no-plugins", "-c", "import sys; print(sys.executable)"],
                       env=env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.path.basename(r.stdout.strip()).startswith("python3")


@pytest.mark.parametrize("flags", [["-B"], ["-s", "-B"], ["-X", "faulthandler", "-B"], ["-Wignore"]])
def test_python_interpreter_flags_before_c_are_accepted(tmp_path, flags):
    # multiprocessing puts the parent's interpreter flags before -c when it starts a child
    r = subprocess.run([HEADLESS, "--no-plugins", *flags, "-c", "print('ok')"],
                       env=env(tmp_path), capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, "ok\n"), r.stderr


def test_a_python_flag_without_c_is_still_a_usage_error(tmp_path):
    r = subprocess.run([HEADLESS, "-B", "types"], env=env(tmp_path), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Unknown option 'B'" in r.stderr, r.stderr
