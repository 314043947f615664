"""typehost-headless --strict, the check command and PluginStatus.warnings (issue 16).

A problem is a plugin that failed, one the crash guard skipped, or a loaded plugin with a class
still waiting for a name (a typo under `from __future__ import annotations`) or a type whose
dotted reference no registered type answers. `check` reports them on stdout (exit 1), --strict
on stderr before any command (exit 1, the command does not run; `plugins` still prints its
table); without --strict every command but plugins, check and run/-c/-m warns on stderr about
failed and crash-guard-skipped plugins.

The Python side is called in-process (typehost._cli.main with the opts dict the binary passes);
the binary is run as test_cli.py does, and its --strict tests are skipped while the binary does
not know the option yet.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from plugin_fixtures import xdg  # noqa: F401 - autouse: private XDG directories
from test_cli import HEADLESS, env, run, write  # noqa: F401 - fixtures
from typehost import _cli, _plugins
from typehost._plugins import PluginStatus

BUILT = os.access(HEADLESS, os.X_OK)

GOOD = """
    from typehost import Object, py_class

    __plugin__ = {"name": "sturdy"}


    @py_class("sturdy.Part")
    class Part(Object):
        n: int = 0
"""

BROKEN = """
    __plugin__ = {"name": "brokenplug"}


    def helper():
        raise RuntimeError("brokenplug fails on purpose")


    helper()
"""
BROKEN_LINE = 5   # the raise

TYPO = """
    from __future__ import annotations

    from typehost import Object, py_class

    __plugin__ = {"name": "robot"}


    @py_class("robot.Joint")
    class Joint(Object):
        name: str
        torque: flaot = 0.0
"""
TYPO_LINE = 11

DANGLING = """
    from typehost import Object, field, py_class

    __plugin__ = {"name": "planner"}


    @py_class("exp.Plan")
    class Plan(Object):
        title: str = ""
        steps: list["exp.Runn"] = field(default_factory=list)
"""
DANGLING_LINE = 9


needs_binary = pytest.mark.skipif(not BUILT, reason="TYPEHOST_BUILD_DIR/bin/typehost-headless is not built")


@pytest.fixture
def plugs(tmp_path):
    """A plugin directory; plugs(*sources) writes the named sources into it."""
    d = tmp_path / "plugs"
    d.mkdir()
    names = {GOOD: "sturdy", BROKEN: "brokenplug", TYPO: "robot", DANGLING: "planner"}

    def make(*sources):
        for source in sources:
            write(d / f"{names[source]}.py", source)
        return d
    return make


@pytest.fixture
def cli(monkeypatch, capsys):
    """Calls typehost._cli.main in-process as the binary does; returns (status, stdout,
    stderr). The process-wide plugin manager it starts is unloaded and put back afterwards."""
    monkeypatch.setattr(_plugins, "_manager", _plugins._manager)
    started = []

    def call(command, *args, plugin_dirs=(), **opts):
        o = {"json": False, "plugin_dirs": [str(d) for d in plugin_dirs], "no_plugins": not plugin_dirs,
             "no_bundled": True, "safe_mode": False, "plugin_timeout": 10.0, "allow_insecure": False,
             "output": None, "strict": False}
        o.update(opts)
        capsys.readouterr()
        status = _cli.main(command, [str(a) for a in args], o)
        if _plugins._manager is not None and _plugins._manager not in started:
            started.append(_plugins._manager)
        out, err = capsys.readouterr()
        return status, out, err

    yield call
    for m in started:
        m.unload_all()


def crash_guard_names(xdg_dir, plugin: str) -> None:
    """Leaves the crash guard file of a run that stopped while loading plugin."""
    state = xdg_dir / "xdg_state_home" / "typehost"
    state.mkdir(parents=True, exist_ok=True)
    (state / "loading.json").write_text(json.dumps({"plugin": plugin, "pid": 1}))


def problem_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("typehost-headless: plugin ")]


# ---------------------------------------------------------------------------------------
# A failed plugin, with and without --strict


def test_failed_plugin_without_strict_warns_in_one_line_and_the_command_succeeds(cli, plugs):
    d = plugs(GOOD, BROKEN)
    status, out, err = cli("types", plugin_dirs=[d])
    assert status == 0
    assert "sturdy.Part" in out
    assert err == ("typehost-headless: warning: 1 plugin failed to load: brokenplug "
                   "(see 'typehost-headless plugins')\n")


def test_warning_names_every_failed_plugin(cli, plugs):
    d = plugs(BROKEN)
    write(d / "alsobroken.py", "raise ValueError('no')\n")
    status, _, err = cli("dump", plugin_dirs=[d])
    assert status == 0
    assert err == ("typehost-headless: warning: 2 plugins failed to load: alsobroken, brokenplug "
                   "(see 'typehost-headless plugins')\n")


@pytest.mark.parametrize("command", ["plugins", "check"])
def test_plugins_and_check_print_no_warning_line(cli, plugs, command):
    _, _, err = cli(command, plugin_dirs=[plugs(BROKEN)])
    assert "warning:" not in err


@needs_binary
@pytest.mark.parametrize("args", [("-c", "import sys; print('script', file=sys.stderr)"), ("run", "script.py")])
def test_a_scripts_stderr_stays_the_scripts(run, tmp_path, args):
    d = tmp_path / "plugs"
    write(d / "brokenplug.py", BROKEN)
    write(tmp_path / "script.py", "import sys\nprint('script', file=sys.stderr)\n")
    r = run("--no-bundled", "--plugins", d, *args)
    assert (r.returncode, r.stderr) == (0, "script\n")


def test_no_warning_when_every_plugin_loads(cli, plugs):
    assert cli("types", plugin_dirs=[plugs(GOOD)])[2] == ""


def test_strict_reports_a_failed_plugin_with_file_and_line_and_does_not_run_the_command(cli, plugs, tmp_path):
    d = plugs(GOOD, BROKEN)
    out_file = tmp_path / "types.txt"
    status, out, err = cli("types", plugin_dirs=[d], strict=True, output=str(out_file))
    assert (status, out) == (1, "")
    assert not out_file.exists()
    assert err.splitlines() == [
        f"typehost-headless: plugin 'brokenplug' ({d / 'brokenplug.py'}:{BROKEN_LINE}): "
        "RuntimeError: brokenplug fails on purpose",
        "typehost-headless: --strict: 1 plugin problem; 'types' was not run",
    ]


def test_strict_without_problems_changes_nothing(cli, plugs):
    d = plugs(GOOD)
    assert cli("types", plugin_dirs=[d], strict=True) == cli("types", plugin_dirs=[d])


def test_strict_plugins_still_prints_the_table_and_exits_1(cli, plugs):
    status, out, err = cli("plugins", plugin_dirs=[plugs(GOOD, BROKEN)], strict=True)
    assert status == 1
    assert "brokenplug (failed): RuntimeError: brokenplug fails on purpose" in out
    assert len(problem_lines(err)) == 1
    assert err.splitlines()[-1] == "typehost-headless: --strict: 1 plugin problem"


def test_strict_stops_a_script_before_it_runs(cli, plugs):
    status, out, err = cli("-c", "print('ran')", plugin_dirs=[plugs(BROKEN)], strict=True)
    assert (status, out) == (1, "")
    assert err.splitlines()[-1] == "typehost-headless: --strict: 1 plugin problem; '-c' was not run"


def test_strict_report_of_a_plugin_failing_at_a_syntax_error(cli, plugs):
    d = plugs(GOOD)
    write(d / "badsyntax.py", "x = 1\ndef (:\n")
    _, _, err = cli("types", plugin_dirs=[d], strict=True)
    [line] = problem_lines(err)
    assert line.startswith(f"typehost-headless: plugin 'badsyntax' ({d / 'badsyntax.py'}:2): ")
    assert "syntax error" in line


# ---------------------------------------------------------------------------------------
# A class still waiting for a name; a dotted reference unresolved


def test_typo_under_future_annotations_leaves_the_plugin_loaded_with_a_warning(cli, plugs):
    d = plugs(TYPO)
    status, out, err = cli("types", plugin_dirs=[d])
    assert (status, err) == (0, "")   # not a failed plugin: no warning line without --strict
    assert "robot.Joint" not in out   # the class is not registered
    [robot] = _plugins.plugins()
    assert robot.state == "loaded"
    assert robot.warnings == [f"{d / 'robot.py'}:{TYPO_LINE}: robot.Joint.torque: name 'flaot' is not defined"]


def test_strict_fails_on_the_typo_naming_plugin_file_line_key_and_field(cli, plugs):
    d = plugs(GOOD, TYPO)
    status, out, err = cli("schema", plugin_dirs=[d], strict=True)
    assert (status, out) == (1, "")
    assert problem_lines(err) == [
        f"typehost-headless: plugin 'robot' ({d / 'robot.py'}:{TYPO_LINE}): robot.Joint.torque: "
        "name 'flaot' is not defined"]


def test_strict_fails_on_an_unresolved_dotted_reference(cli, plugs):
    d = plugs(DANGLING)
    status, _, err = cli("stubs", plugin_dirs=[d], strict=True)
    assert status == 1
    assert problem_lines(err) == [
        f"typehost-headless: plugin 'planner' ({d / 'planner.py'}:{DANGLING_LINE}): exp.Plan.steps: "
        "no registered type 'exp.Runn'"]


def test_a_reference_another_plugin_answers_later_is_no_problem(cli, plugs):
    d = plugs(DANGLING)
    write(d / "runner.py", """
        from typehost import Object, py_class

        @py_class("exp.Runn")
        class Runn(Object):
            speed: float = 1.0
    """)   # loads after planner (discovery order), which does not require it
    status, out, err = cli("check", plugin_dirs=[d], strict=True)
    assert (status, out, err) == (0, "ok: 2 plugins loaded, 2 types\n", "")
    assert [p.warnings for p in _plugins.plugins()] == [[], []]


# ---------------------------------------------------------------------------------------
# The crash guard


def test_crash_guard_skipped_plugin_warns_and_fails_strict(cli, plugs, xdg):
    d = plugs(GOOD)
    crash_guard_names(xdg, "sturdy")
    status, _, err = cli("types", plugin_dirs=[d])
    assert status == 0
    assert err == ("typehost-headless: warning: 1 plugin skipped by the crash guard: sturdy "
                   "(see 'typehost-headless plugins')\n")
    crash_guard_names(xdg, "sturdy")   # the next run would find it disabled (not a problem)
    status, _, err = cli("types", plugin_dirs=[d], strict=True)
    assert status == 1
    assert problem_lines(err) == [
        f"typehost-headless: plugin 'sturdy' ({d / 'sturdy.py'}): skipped by the crash guard: "
        "Typehost stopped while loading it last time"]


def test_failed_and_skipped_share_the_warning_line(cli, plugs, xdg):
    d = plugs(GOOD, BROKEN)
    crash_guard_names(xdg, "sturdy")
    assert cli("values", plugin_dirs=[d])[2] == (
        "typehost-headless: warning: 1 plugin failed to load: brokenplug; 1 skipped by the crash guard: "
        "sturdy (see 'typehost-headless plugins')\n")


def test_disabled_plugin_is_no_problem(cli, plugs, xdg):
    d = plugs(GOOD)
    crash_guard_names(xdg, "sturdy")
    cli("types", plugin_dirs=[d])   # skipped, and so disabled for the next run
    assert cli("check", plugin_dirs=[d], strict=True) == (0, "ok: 0 plugins loaded, 0 types\n", "")


# ---------------------------------------------------------------------------------------
# check


def test_check_ok_prints_one_line_with_counts(cli, plugs):
    assert cli("check", plugin_dirs=[plugs(GOOD)]) == (0, "ok: 1 plugin loaded, 1 type\n", "")


def test_check_without_plugins_is_ok(cli):
    status, out, err = cli("check")
    assert (status, err) == (0, "")
    assert out == "ok: 0 plugins loaded, 0 types\n"


def test_check_lists_every_problem_on_stdout_and_exits_1(cli, plugs):
    d = plugs(GOOD, BROKEN, TYPO, DANGLING)
    status, out, err = cli("check", plugin_dirs=[d])
    assert (status, err) == (1, "")
    assert out.splitlines() == [
        f"plugin 'brokenplug' ({d / 'brokenplug.py'}:{BROKEN_LINE}): RuntimeError: brokenplug fails on purpose",
        f"plugin 'planner' ({d / 'planner.py'}:{DANGLING_LINE}): exp.Plan.steps: no registered type 'exp.Runn'",
        f"plugin 'robot' ({d / 'robot.py'}:{TYPO_LINE}): robot.Joint.torque: name 'flaot' is not defined",
    ]


def test_check_json_is_a_list_of_problem_objects(cli, plugs):
    d = plugs(BROKEN, TYPO)
    status, out, _ = cli("check", plugin_dirs=[d], json=True)
    assert status == 1
    assert json.loads(out) == [
        {"plugin": "brokenplug", "file": str(d / "brokenplug.py"), "line": BROKEN_LINE, "key": None,
         "field": None, "problem": "RuntimeError: brokenplug fails on purpose"},
        {"plugin": "robot", "file": str(d / "robot.py"), "line": TYPO_LINE, "key": "robot.Joint",
         "field": "torque", "problem": "name 'flaot' is not defined"},
    ]


def test_check_json_ok_is_an_empty_list(cli, plugs):
    assert cli("check", plugin_dirs=[plugs(GOOD)], json=True) == (0, "[]\n", "")


def test_check_takes_no_arguments(cli):
    status, _, err = cli("check", "extra")
    assert status == 2 and "check takes no arguments" in err


def test_check_writes_its_report_with_o(cli, plugs, tmp_path):
    out_file = tmp_path / "report.txt"
    status, out, _ = cli("check", plugin_dirs=[plugs(TYPO)], output=str(out_file))
    assert (status, out) == (1, "")
    assert "robot.Joint.torque: name 'flaot' is not defined" in out_file.read_text()


# ---------------------------------------------------------------------------------------
# PluginStatus.warnings


def test_plugin_status_has_a_warnings_list(tmp_path):
    p = PluginStatus(name="x", path=str(tmp_path / "x.py"))
    assert p.warnings == [] and p.as_dict()["warnings"] == []


def test_plugins_command_shows_warnings(cli, plugs):
    d = plugs(TYPO)
    status, out, _ = cli("plugins", plugin_dirs=[d])
    assert status == 0
    assert (f"\nrobot (loaded, 1 warning):\n  {d / 'robot.py'}:{TYPO_LINE}: robot.Joint.torque: "
            "name 'flaot' is not defined\n") in out
    _, out, _ = cli("plugins", plugin_dirs=[d], json=True)
    [row] = json.loads(out)
    assert (row["state"], row["warnings"]) == (
        "loaded", [f"{d / 'robot.py'}:{TYPO_LINE}: robot.Joint.torque: name 'flaot' is not defined"])


def test_warnings_follow_reload_and_unload(cli, plugs):
    d = plugs(TYPO)
    cli("types", plugin_dirs=[d])
    m = _plugins.manager()
    assert m.plugins["robot"].warnings
    write(d / "robot.py", TYPO.replace("flaot", "float"))
    report = m.reload("robot")
    assert report.ok, report.error
    assert m.plugins["robot"].warnings == []
    assert "robot.Joint" in m.plugins["robot"].types
    write(d / "robot.py", TYPO)
    assert m.reload("robot").ok
    assert len(m.plugins["robot"].warnings) == 1
    m.unload("robot")
    assert m.plugins["robot"].warnings == []


def test_warnings_are_refreshed_when_a_plugin_that_answers_a_reference_goes(cli, plugs):
    d = plugs(DANGLING)
    write(d / "runner.py", """
        from typehost import Object, py_class

        @py_class("exp.Runn")
        class Runn(Object):
            speed: float = 1.0
    """)
    cli("types", plugin_dirs=[d])
    m = _plugins.manager()
    assert m.plugins["planner"].warnings == []
    m.unload("runner")
    assert m.plugins["planner"].warnings == [
        f"{d / 'planner.py'}:{DANGLING_LINE}: exp.Plan.steps: no registered type 'exp.Runn'"]


# ---------------------------------------------------------------------------------------
# The binary


@needs_binary
def test_binary_check_exits_1_and_lists_the_problem(run, tmp_path):
    d = tmp_path / "plugs"
    write(d / "robot.py", TYPO)
    r = run("--no-bundled", "--plugins", d, "check")
    assert (r.returncode, r.stderr) == (1, "")
    assert r.stdout == (f"plugin 'robot' ({d / 'robot.py'}:{TYPO_LINE}): robot.Joint.torque: "
                        "name 'flaot' is not defined\n")


@needs_binary
def test_binary_check_ok(run, tmp_path):
    d = tmp_path / "plugs"
    write(d / "sturdy.py", GOOD)
    r = run("--no-bundled", "--plugins", d, "check")
    assert (r.returncode, r.stdout, r.stderr) == (0, "ok: 1 plugin loaded, 1 type\n", "")


@needs_binary
def test_binary_warns_about_a_failed_plugin_without_strict(run, tmp_path):
    d = tmp_path / "plugs"
    write(d / "brokenplug.py", BROKEN)
    r = run("--no-bundled", "--plugins", d, "types")
    assert r.returncode == 0
    assert r.stderr == ("typehost-headless: warning: 1 plugin failed to load: brokenplug "
                        "(see 'typehost-headless plugins')\n")


@needs_binary
def test_binary_strict_fails_on_a_broken_plugin(run, tmp_path):
    d = tmp_path / "plugs"
    write(d / "brokenplug.py", BROKEN)
    r = run("--strict", "--no-bundled", "--plugins", d, "types")
    assert (r.returncode, r.stdout) == (1, "")
    assert problem_lines(r.stderr) == [
        f"typehost-headless: plugin 'brokenplug' ({d / 'brokenplug.py'}:{BROKEN_LINE}): "
        "RuntimeError: brokenplug fails on purpose"]


@needs_binary
def test_binary_strict_check_with_the_bundled_plugins_is_ok(run):
    r = run("--strict", "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok: ")
