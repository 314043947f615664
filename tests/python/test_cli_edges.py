"""typehost-headless at the edges (issue 16): -o FILE for every command that prints, a closed
stdout, run/-c/-m as python3 behaves, plugin directory options, schema arguments of
validate/schema, values NAME...

Runs the built binary as test_cli.py does (its fixtures: private XDG directories, no
TYPEHOST_PLUGIN_PATH); the --no-bundled directory list is also checked in-process.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from test_cli import CLIPLUG, HEADLESS, PYTHON3, env, plugin_dir, run, write  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not os.access(HEADLESS, os.X_OK),
                                reason="TYPEHOST_BUILD_DIR/bin/typehost-headless is not built")

MANY = """
    from typehost import Object, publish, py_class

    __plugin__ = {"name": "manyvalues"}


    @py_class("edge.Item")
    class Item(Object):
        n: int
        label: str = ""


    def register():
        for i in range(3000):
            publish(f"edge.item{i:04}", Item(i, label="x" * 20))
"""


@pytest.fixture
def many_dir(tmp_path):
    d = tmp_path / "many"
    write(d / "manyvalues.py", MANY)
    return d


def run_into_closed_pipe(env, tmp_path, *args):
    """Runs the host with a stdout whose reading end is already closed."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([HEADLESS, *map(str, args)], env=env, cwd=tmp_path, stdout=w,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(w)


# ---------------------------------------------------------------------------------------
# -o FILE


@pytest.mark.parametrize("args", [
    ("types",), ("--json", "types"), ("dump",), ("plugins",), ("values",), ("--json", "values"),
    ("values", "cli.origin"), ("show", "cli.Point"), ("--json", "show", "cli.Point"),
    ("schema",), ("schema", "cli.Point"), ("stubs",),
])
def test_output_file_gets_exactly_what_stdout_would(run, plugin_dir, tmp_path, args):
    expected = run("--plugins", plugin_dir, *args)
    assert expected.returncode == 0, expected.stderr
    out = tmp_path / "out.txt"
    r = run("--plugins", plugin_dir, "-o", out, *args)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    text = out.read_text()
    if args[-1] == "plugins":   # load times differ between runs
        assert text.splitlines()[0] == expected.stdout.splitlines()[0]
        assert len(text.splitlines()) == len(expected.stdout.splitlines())
    else:
        assert text == expected.stdout


def test_output_option_after_the_command_and_long_form(run, plugin_dir, tmp_path):
    out = tmp_path / "types.json"
    r = run("--plugins", plugin_dir, "--json", "types", "--output", out)
    assert (r.returncode, r.stdout) == (0, "")
    assert "cli.Point" in {row["key"] for row in json.loads(out.read_text())}


def test_validate_writes_its_result_to_the_output_file_with_its_status(run, plugin_dir, tmp_path):
    doc = tmp_path / "p.json"
    doc.write_text('{"x": 1}')
    out = tmp_path / "report.txt"
    r = run("--plugins", plugin_dir, "validate", "cli.Point", doc, "-o", out)
    assert (r.returncode, r.stdout, out.read_text()) == (0, "", f"{doc}: valid cli.Point\n")
    doc.write_text('{"x": "one"}')
    r = run("--plugins", plugin_dir, "--json", "validate", "cli.Point", doc, "-o", out)
    assert (r.returncode, r.stdout) == (1, "")
    report = json.loads(out.read_text())
    assert report["valid"] is False and report["errors"][0]["pointer"] == "/x"


def test_a_failed_command_that_printed_nothing_leaves_the_output_file_alone(run, tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("old\n")
    r = run("--no-plugins", "show", "no.Such", "-o", out)
    assert (r.returncode, r.stderr) == (1, "typehost-headless: no registered type 'no.Such'\n")
    assert out.read_text() == "old\n"
    r = run("--no-plugins", "show", "-o", out)   # usage error
    assert r.returncode == 2 and out.read_text() == "old\n"


@pytest.mark.parametrize("args", [("types",), ("dump",), ("values",), ("show", "cli.Point")])
def test_output_of_every_command_goes_through_a_symlink(run, plugin_dir, tmp_path, args):
    target = tmp_path / "real" / "out.txt"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    r = run("--plugins", plugin_dir, *args, "-o", link)
    assert (r.returncode, r.stderr) == (0, "")
    assert link.is_symlink() and target.read_text() != "old\n"
    assert sorted(os.listdir(target.parent)) == ["out.txt"]


@pytest.mark.parametrize("args", [("types",), ("dump",), ("plugins",), ("values",)])
def test_output_of_every_command_refuses_what_is_not_a_regular_file(run, tmp_path, args):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("--no-plugins", *args, "-o", fifo, timeout=30)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == f"typehost-headless: cannot write {fifo}: not a regular file\n"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    r = run("--no-plugins", *args, "-o", link, timeout=30)
    assert r.returncode == 1
    assert r.stderr == f"typehost-headless: cannot write {link} (a link to /dev/full): not a regular file\n"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("args", [("run", "x.py"), ("-c", "pass"), ("-m", "json.tool")])
def test_output_is_refused_for_run_c_and_m(run, tmp_path, args):
    out = tmp_path / "out.txt"
    r = run("--no-plugins", "-o", out, *args)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"typehost-headless: -o/--output does not apply to {args[0]} (a script writes its own files)\n"
    assert not out.exists()


def test_empty_output_name_is_a_usage_error(run):
    r = run("--no-plugins", "types", "-o", "")
    assert (r.returncode, r.stderr) == (2, "typehost-headless: -o/--output needs a FILE name\n")


# ---------------------------------------------------------------------------------------
# A closed stdout ends quietly, with the command's own status


@pytest.mark.parametrize("args", [
    ("types",), ("--json", "types"), ("dump",), ("plugins",), ("values",), ("--json", "values"),
    ("show", "edge.Item"), ("schema",), ("stubs",),
])
def test_closed_stdout_exits_0_without_a_message(env, tmp_path, many_dir, args):
    r = run_into_closed_pipe(env, tmp_path, "--plugins", many_dir, *args)
    assert (r.returncode, r.stderr) == (0, "")


def test_closed_stdout_keeps_a_failing_command_s_status(env, tmp_path, plugin_dir):
    doc = tmp_path / "bad.json"
    doc.write_text('{"x": "one"}')
    r = run_into_closed_pipe(env, tmp_path, "--plugins", plugin_dir, "--json", "validate", "cli.Point", doc)
    assert (r.returncode, r.stderr) == (1, "")


@pytest.mark.parametrize("args", [("values",), ("types",), ("dump",)])
def test_piped_into_head_ends_quietly_with_status_0(env, tmp_path, many_dir, args):
    host = subprocess.Popen([HEADLESS, "--plugins", many_dir, *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-n", "1"], stdin=host.stdout, capture_output=True, timeout=60)
    host.stdout.close()
    stderr = host.stderr.read().decode()
    assert host.wait(timeout=60) == 0, stderr
    assert stderr == "" and head.returncode == 0 and len(head.stdout.splitlines()) == 1


@pytest.mark.parametrize("code", [
    "while True: print('y' * 100)",
    "import sys\nwhile True: sys.stdout.write('y' * 100)",
])
def test_closed_stdout_ends_a_script_quietly_with_status_0(env, tmp_path, code):
    r = run_into_closed_pipe(env, tmp_path, "--no-plugins", "-c", code)
    assert (r.returncode, r.stderr) == (0, "")
    script = write(tmp_path / "yes.py", code + "\n")
    r = run_into_closed_pipe(env, tmp_path, "--no-plugins", "run", script)
    assert (r.returncode, r.stderr) == (0, "")


def test_a_script_that_handles_the_closed_stdout_keeps_its_own_status(env, tmp_path):
    code = "import sys\ntry:\n    print('x')\nexcept BrokenPipeError:\n    sys.exit(3)"
    r = run_into_closed_pipe(env, tmp_path, "--no-plugins", "-c", code)
    assert (r.returncode, r.stderr) == (3, "")


def test_a_broken_pipe_that_is_not_stdout_is_the_script_s_error(run):
    code = ("import os\nr, w = os.pipe()\nos.close(r)\nos.write(w, b'x')")
    r = run("--no-plugins", "-c", code)
    assert r.returncode == 1
    assert r.stderr.rstrip().endswith("BrokenPipeError: [Errno 32] Broken pipe")


# ---------------------------------------------------------------------------------------
# run, -c, -m like python3


def test_run_dash_reads_the_script_from_stdin(env, tmp_path):
    source = "import sys\nprint(sys.argv, __name__, __file__, repr(sys.path[0]))\nsys.exit(4)\n"
    r = subprocess.run([HEADLESS, "--no-plugins", "run", "-", "a", "--b"], input=source, env=env,
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    expected = subprocess.run([PYTHON3, "-", "a", "--b"], input=source, cwd=tmp_path,
                              capture_output=True, text=True)
    assert (r.returncode, r.stdout, r.stderr) == (4, expected.stdout, "")
    assert r.stdout == "['-', 'a', '--b'] __main__ <stdin> ''\n"


def test_run_dash_traceback_names_stdin(env, tmp_path):
    r = subprocess.run([HEADLESS, "--no-plugins", "run", "-"], input="x = 1\n1 / 0\n", env=env,
                       cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr == ('Traceback (most recent call last):\n  File "<stdin>", line 2, in <module>\n'
                        "ZeroDivisionError: division by zero\n")


@pytest.mark.parametrize("name", ["/nonexistent.py", "missing.py"])
def test_run_missing_file_is_one_line_and_exit_2(run, tmp_path, name):
    r = run("--no-plugins", "run", name)
    shown = name if name.startswith("/") else str(tmp_path / name)
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"typehost-headless: can't open file '{shown}': [Errno 2] No such file or directory\n"


def test_run_directory_without_main_is_one_line_and_exit_1(run, tmp_path):
    (tmp_path / "pkgdir").mkdir()
    r = run("--no-plugins", "run", tmp_path / "pkgdir")
    assert (r.returncode, r.stderr) == (1, f"typehost-headless: can't find '__main__' module in '{tmp_path / 'pkgdir'}'\n")


def test_run_directory_with_main_runs_it(run, tmp_path):
    write(tmp_path / "app" / "__main__.py", "import sys\nprint('app', sys.argv[1:])\n")
    r = run("--no-plugins", "run", tmp_path / "app", "x")
    assert (r.returncode, r.stdout) == (0, "app ['x']\n")


def test_script_traceback_has_no_host_frames(run, tmp_path):
    script = write(tmp_path / "boom.py", """
        def inner():
            raise KeyError("boom")


        inner()
    """)
    r = run("--no-plugins", "run", script)
    assert r.returncode == 1
    assert r.stderr == (f'Traceback (most recent call last):\n  File "{script}", line 5, in <module>\n'
                        f'    inner()\n  File "{script}", line 2, in inner\n'
                        f'    raise KeyError("boom")\nKeyError: \'boom\'\n')
    assert "typehost/_cli" not in r.stderr and "runpy" not in r.stderr   # no frame of the typehost._cli package


def test_c_and_m_tracebacks_have_no_host_frames(run, tmp_path):
    r = run("--no-plugins", "-c", "1 / 0")
    assert r.stderr == ('Traceback (most recent call last):\n  File "<string>", line 1, in <module>\n'
                        "ZeroDivisionError: division by zero\n")
    write(tmp_path / "boom_mod.py", "raise ValueError('m')\n")
    r = run("--no-plugins", "-m", "boom_mod", cwd=tmp_path)
    assert r.returncode == 1
    assert "typehost/_cli" not in r.stderr and "runpy" not in r.stderr   # no frame of the typehost._cli package
    assert r.stderr.endswith("ValueError: m\n")


def test_syntax_error_in_a_script_is_shown_as_python3_does(run, tmp_path):
    script = write(tmp_path / "syn.py", "x = (\n")
    r = run("--no-plugins", "run", script)
    expected = subprocess.run([PYTHON3, str(script)], capture_output=True, text=True)
    assert (r.returncode, r.stderr) == (1, expected.stderr)


def test_m_unknown_module_is_one_line(run):
    r = run("--no-plugins", "-m", "no_such_module_anywhere")
    assert (r.returncode, r.stderr) == (1, "typehost-headless: No module named no_such_module_anywhere\n")


PROBE = "import sys; print(sys.argv, repr(sys.path[0]), __name__, '__file__' in globals())"


def test_argv_and_path_are_as_python3_sets_them(run, tmp_path):
    r = run("--no-plugins", "-c", PROBE, "a", "-b")
    expected = subprocess.run([PYTHON3, "-c", PROBE, "a", "-b"], capture_output=True, text=True, cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, expected.stdout)
    write(tmp_path / "real" / "probe.py", PROBE.replace("'__file__' in globals()", "__file__") + "\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "probe.py")
    for name in ("real/probe.py", "link.py"):
        r = run("--no-plugins", "run", name, "x", cwd=tmp_path)
        expected = subprocess.run([PYTHON3, name, "x"], capture_output=True, text=True, cwd=tmp_path)
        assert (r.returncode, r.stdout) == (0, expected.stdout), name


def test_c_code_runs_in_a_real_main_module(run):
    code = ("import pickle, sys\n"
            "class Thing:\n    pass\n"
            "def f(x: int): pass\n"
            "print(__name__, sys.modules['__main__'].__dict__ is globals(), __spec__,\n"
            "      type(pickle.loads(pickle.dumps(Thing()))).__qualname__, f.__annotations__)")
    r = run("--no-plugins", "-c", code)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "__main__ True None Thing {'x': <class 'int'>}\n"


def test_script_runs_in_a_real_main_module(run, tmp_path):
    script = write(tmp_path / "main_mod.py", """
        import pickle
        import sys


        class Thing:
            pass


        print(sys.modules["__main__"].__dict__ is globals(), __file__ == sys.argv[0],
              type(pickle.loads(pickle.dumps(Thing()))).__qualname__)
    """)
    r = run("--no-plugins", "run", script)
    assert (r.returncode, r.stdout, r.stderr) == (0, "True True Thing\n", "")


# ---------------------------------------------------------------------------------------
# --plugins, --no-plugins, --no-bundled


def test_plugins_path_that_does_not_exist_is_a_usage_error(run, tmp_path):
    missing = tmp_path / "no-such-dir"
    r = run("--plugins", missing, "types")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"typehost-headless: --plugins {missing}: No such file or directory\n"


def test_plugins_path_that_is_a_file_is_a_usage_error(run, tmp_path, plugin_dir):
    afile = plugin_dir / "cliplug.py"
    r = run("--plugins", plugin_dir, "--plugins", afile, "-c", "print('ran')")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == f"typehost-headless: --plugins {afile}: Not a directory\n"


def test_no_plugins_with_plugins_is_a_usage_error(run, plugin_dir):
    r = run("--no-plugins", "--plugins", plugin_dir, "types")
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == "typehost-headless: --plugins DIR and --no-plugins conflict\n"


def test_no_bundled_leaves_out_only_the_bundled_directories(tmp_path):
    import _typehost
    from typehost._cli import _plugin_commands
    bundled = _typehost._bundled_plugin_dirs()
    assert bundled, "the build has bundled plugin directories"
    mine = str(tmp_path / "mine")
    with_bundled = _plugin_commands.plugin_dirs({"plugin_dirs": [mine]})
    without = _plugin_commands.plugin_dirs({"plugin_dirs": [mine], "no_bundled": True})
    assert with_bundled[0] == without[0] == mine
    assert without == [d for d in with_bundled if d not in bundled]
    assert not set(bundled) & set(without)


@pytest.mark.parametrize("args", [("--json", "types"), ("stubs",), ("schema",), ("dump",)])
def test_no_bundled_loads_only_the_given_plugins(run, plugin_dir, args):
    r = run("--no-bundled", "--plugins", plugin_dir, "--json", "plugins")
    assert [p["name"] for p in json.loads(r.stdout)] == ["cliplug"]
    r = run("--no-bundled", "--plugins", plugin_dir, *args)
    assert r.returncode == 0, r.stderr
    mine = "_mod_cliplug.Point" if args == ("stubs",) else "cli.Point"   # stubs re-export it
    assert mine in r.stdout and "shapes" not in r.stdout and "geometry" not in r.stdout


# ---------------------------------------------------------------------------------------
# validate SCHEMA FILE, schema SCHEMA, values NAME...


@pytest.mark.parametrize("schema, doc, canonical", [
    ("list[cli.Point]", '[{"x": 1}, {"x": 2, "y": 3}]', "list[cli.Point]"),
    ("dict[str, cli.Point]", '{"a": {"x": 1}}', "dict[str, cli.Point]"),
    ("cli.Point | None", "null", "Optional[cli.Point]"),
    ("Optional[cli.Point]", '{"x": 1}', "Optional[cli.Point]"),
    ("tuple[cli.Point, int]", '[{"x": 1}, 2]', "tuple[cli.Point, int]"),
    ("list[int]", "[1, 2]", "list[int]"),
])
def test_validate_takes_schema_text(run, plugin_dir, tmp_path, schema, doc, canonical):
    path = tmp_path / "doc.json"
    path.write_text(doc)
    r = run("--plugins", plugin_dir, "validate", schema, path)
    assert (r.returncode, r.stdout, r.stderr) == (0, f"{path}: valid {canonical}\n", "")


def test_validate_schema_text_lists_every_error_with_its_pointer(run, plugin_dir, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text('[{"x": 1}, {"x": "two"}, {}]')
    r = run("--plugins", plugin_dir, "validate", "list[cli.Point]", path)
    assert r.returncode == 1
    assert r.stderr == (f"{path}: /1/x: expected float, got string\n"
                        f"{path}: /2: missing field 'x' of cli.Point\n")


@pytest.mark.parametrize("schema, message", [
    ("list[no.Such]", "no registered type 'no.Such'"),
    ("dict[str, no.Such]", "no registered type 'no.Such'"),
    ("cli.Nope | None", "no registered type 'cli.Nope'"),
    ("nope.X | None", "no registered type or namespace 'nope' in 'nope.X | None'"),
    ("list[", "schema 'list[': at offset 5: expected a type, found end of text"),
])
def test_validate_and_schema_refuse_unknown_types_in_schema_text(run, plugin_dir, tmp_path, schema, message):
    path = tmp_path / "doc.json"
    path.write_text("[]")
    for args in (("validate", schema, path), ("schema", schema)):
        r = run("--plugins", plugin_dir, *args)
        assert (r.returncode, r.stdout, r.stderr) == (1, "", f"typehost-headless: {message}\n"), args


@pytest.mark.parametrize("schema, title", [
    ("list[cli.Point]", "list[cli.Point]"), ("dict[str, cli.Point]", "dict[str, cli.Point]"),
    ("cli.Point | None", "Optional[cli.Point]"),
])
def test_schema_takes_schema_text(run, plugin_dir, schema, title):
    r = run("--plugins", plugin_dir, "schema", schema)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["title"] == title and "cli.Point" in doc["$defs"]


VALUES = """
    from typehost import publish

    __plugin__ = {"name": "valplug"}


    def register():
        publish("v.a", 1)
        publish("v.b", [1, 2])
        publish("v.c", "three")
"""


@pytest.fixture
def values_dir(tmp_path):
    d = tmp_path / "valplug"
    write(d / "valplug.py", VALUES)
    return d


def test_values_names_print_only_those_in_the_order_given(run, values_dir):
    r = run("--plugins", values_dir, "values", "v.c", "v.a")
    assert (r.returncode, r.stdout, r.stderr) == (0, 'v.c = "three"\nv.a = 1\n', "")
    r = run("--plugins", values_dir, "--json", "values", "v.b")
    assert (r.returncode, json.loads(r.stdout)) == (0, {"v.b": [1, 2]})


def test_values_unknown_name_exits_1_with_one_line(run, values_dir):
    r = run("--plugins", values_dir, "values", "v.a", "v.nope")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "typehost-headless: no published value 'v.nope'\n")
    r = run("--plugins", values_dir, "values", "x", "v.a", "y")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "typehost-headless: no published values 'x', 'y'\n")
