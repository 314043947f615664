"""typehost-headless: every command, --json, options and exit statuses (0 ok, 1 failure,
2 usage error; run/-c/-m: the script's own).

Runs the built binary ($TYPEHOST_BUILD_DIR/bin/typehost-headless) in subprocesses, with the
XDG directories in tmp_path so no user plugin, crash guard or config is seen or touched.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest

BUILD_DIR = os.environ.get("TYPEHOST_BUILD_DIR", "")
HEADLESS = os.path.join(BUILD_DIR, "bin", "typehost-headless")

pytestmark = pytest.mark.skipif(not os.access(HEADLESS, os.X_OK),
                                reason="TYPEHOST_BUILD_DIR/bin/typehost-headless is not built")

CLIPLUG = """
    from typehost import Object, field, publish, py_class

    __plugin__ = {"name": "cliplug", "version": "0.3", "description": "Types for the CLI tests"}


    @py_class("cli.Point")
    class Point(Object):
        \"\"\"A point in the plane.\"\"\"

        x: float
        y: float = 0.0
        tags: list[str] = field(default_factory=list, kw_only=True, doc="Labels")


    @py_class("cli.Line")
    class Line(Object):
        start: Point
        end: Point


    def register():
        publish("cli.origin", Point(0.0, tags=["zero"]))
"""

BROKEN = """
    __plugin__ = {"name": "clibroken"}


    def helper():
        raise RuntimeError("clibroken fails on purpose")


    helper()
"""


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


@pytest.fixture
def env(tmp_path):
    """The environment for the host: private XDG directories, no TYPEHOST_PLUGIN_PATH."""
    e = {k: v for k, v in os.environ.items() if k != "TYPEHOST_PLUGIN_PATH"}
    for var in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        e[var] = str(tmp_path / "xdg" / var.lower())
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


@pytest.fixture
def plugin_dir(tmp_path):
    d = tmp_path / "plugins"
    write(d / "cliplug.py", CLIPLUG)
    return d


@pytest.fixture
def run(env, tmp_path):
    """Runs typehost-headless with args; returns the CompletedProcess (text mode)."""
    def run(*args, cwd=None, timeout=60):
        return subprocess.run([HEADLESS, *map(str, args)], env=env, cwd=cwd or tmp_path,
                              capture_output=True, text=True, timeout=timeout)
    return run


def ok_json(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------
# Usage


def test_help_lists_the_commands_and_exits_0(run):
    r = run("--help")
    assert r.returncode == 0
    for word in ("types", "show KEY", "plugins", "values", "validate SCHEMA FILE", "dump", "run SCRIPT",
                 "--json", "--plugins", "--no-plugins", "--safe-mode", "--plugin-timeout",
                 "--allow-insecure-plugins"):
        assert word in r.stdout


def test_version_exits_0(run):
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("typehost-headless ")


@pytest.mark.parametrize("args, message", [
    ((), "no command given"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (("--frobnicate", "types"), "Unknown option 'frobnicate'"),
    (("--plugin-timeout", "soon", "types"), "--plugin-timeout needs a number of seconds, got 'soon'"),
    (("--plugin-timeout", "-1", "types"), "--plugin-timeout needs a number of seconds, got '-1'"),
    (("--plugin-timeout", "nan", "types"), "--plugin-timeout needs a number of seconds, got 'nan'"),
    (("--plugin-timeout", "-inf", "types"), "--plugin-timeout needs a number of seconds, got '-inf'"),
    (("--no-plugins", "show"), "show needs exactly one type KEY"),
    (("--no-plugins", "show", "a", "b"), "show needs exactly one type KEY"),
    (("--no-plugins", "validate", "cli.Point"), "validate needs a SCHEMA (a type KEY, or e.g. 'list[KEY]') and a FILE"),
    (("--no-plugins", "types", "extra"), "types takes no arguments"),
    (("--no-plugins", "dump", "extra"), "dump takes no arguments"),
    (("--no-plugins", "plugins", "extra"), "plugins takes no arguments"),
    (("--no-plugins", "run"), "run needs an argument"),
    (("--no-plugins", "-c"), "-c needs an argument"),
    (("--no-plugins", "-m"), "-m needs an argument"),
])
def test_usage_errors_exit_2(run, args, message):
    r = run(*args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "Try 'typehost-headless --help'." in r.stderr


# ---------------------------------------------------------------------------------------
# Inspection commands


def test_types_lists_key_origin_plugin_and_field_count(run, plugin_dir):
    r = run("--plugins", plugin_dir, "types")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["KEY", "ORIGIN", "PLUGIN", "FIELDS"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1:]}
    assert rows["cli.Point"] == ["python", "cliplug", "3"]
    assert rows["geo.Vec3"] == ["native", "geometry", "3"]   # the bundled plugins load too


def test_types_json(run, plugin_dir):
    rows = ok_json(run("--plugins", plugin_dir, "--json", "types"))
    point = next(r for r in rows if r["key"] == "cli.Point")
    assert point == {"key": "cli.Point", "kind": "object", "origin": "python", "plugin": "cliplug",
                     "fields": 3}
    assert [r["key"] for r in rows] == sorted(r["key"] for r in rows)


def test_types_without_plugins(run):
    r = run("--no-plugins", "--json", "types")
    assert all(row["plugin"] is None for row in ok_json(r))


def test_show_prints_fields_with_type_default_and_flags(run, plugin_dir):
    r = run("--plugins", plugin_dir, "show", "cli.Point")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "cli.Point  (object, python, plugin cliplug)"
    assert lines[1] == f"  defined at {plugin_dir / 'cliplug.py'}:6"
    assert lines[2] == "  A point in the plane."
    header = lines[3]
    assert header.split() == ["NAME", "TYPE", "DEFAULT", "FLAGS", "DOC"]
    # Columns line up: every cell starts where its heading does.
    starts = [header.index(h) for h in ("TYPE", "DEFAULT", "FLAGS", "DOC")]
    assert lines[6][starts[0]:].startswith("list[str]") and lines[6][starts[1]:].startswith("<factory>")
    assert lines[6][starts[2]:].startswith("init,repr,compare,kw_only") and lines[6][starts[3]:] == "Labels"
    # eq without frozen: not hashable, so no field says "hash" (dataclasses' rule), and a note says why
    assert [line.split() for line in lines[4:7]] == [
        ["x", "float", "init,repr,compare"],
        ["y", "float", "0.0", "init,repr,compare"],
        ["tags", "list[str]", "<factory>", "init,repr,compare,kw_only", "Labels"],
    ]
    assert lines[7].startswith("  (instances are not hashable: __hash__ is None")


def test_show_says_hash_for_the_fields_of_a_hashable_class(run, tmp_path):
    d = tmp_path / "frozen_plugin"
    d.mkdir()
    (d / "frozenplug.py").write_text(textwrap.dedent("""
        from typehost import Object, field, py_class

        @py_class("cli.Frozen", frozen=True)
        class Frozen(Object):
            a: int = 0
            b: int = field(default=0, hash=False)
    """))
    r = run("--plugins", d, "show", "cli.Frozen")
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[3:]]
    assert rows == [["a", "int", "0", "init,repr,compare,hash"], ["b", "int", "0", "init,repr,compare"]]
    assert ok_json(run("--plugins", d, "--json", "show", "cli.Frozen"))["hashable"] is True


def test_show_json(run, plugin_dir):
    d = ok_json(run("--plugins", plugin_dir, "--json", "show", "cli.Point"))
    assert (d["key"], d["kind"], d["origin"], d["plugin"], d["parent"], d["stale"]) == \
        ("cli.Point", "object", "python", "cliplug", None, False)
    assert (d["file"], d["line"], d["hashable"]) == (str(plugin_dir / "cliplug.py"), 6, False)
    common = {"defined_in": "cli.Point", "repr": True, "init": True, "compare": True, "hash": False,
              "metadata": None}
    assert d["fields"] == [
        {**common, "name": "x", "type": "float", "annotation": "float", "required": True, "has_default": False,
         "default": None, "default_repr": None, "default_factory": False, "kw_only": False, "doc": ""},
        {**common, "name": "y", "type": "float", "annotation": "float", "required": False, "has_default": True,
         "default": 0.0, "default_repr": "0.0", "default_factory": False, "kw_only": False, "doc": ""},
        {**common, "name": "tags", "type": "list[str]", "annotation": "list[str]", "required": False,
         "has_default": False, "default": None, "default_repr": None, "default_factory": True, "kw_only": True,
         "doc": "Labels"},
    ]


def test_show_json_dump_and_type_info_describe_a_type_alike(run, plugin_dir):
    shown = ok_json(run("--plugins", plugin_dir, "--json", "show", "cli.Point"))
    dumped = {t["key"]: t for t in ok_json(run("--plugins", plugin_dir, "dump"))["types"]}["cli.Point"]
    code = "import json, typehost; print(json.dumps(typehost.type_info('cli.Point').describe()))"
    assert shown == dumped
    r = run("--plugins", plugin_dir, "-c", code)
    assert r.returncode == 0, r.stderr
    described = json.loads(r.stdout)
    assert described == shown


def test_show_json_writes_defaults_as_json_and_as_python_text(run, tmp_path):
    write(tmp_path / "defaults.py", """
import enum
import typehost

class Mode(enum.Enum):
    FAST = "fast"

@typehost.py_class("dflt.Thing", frozen=True)
class Thing(typehost.Object):
    n: int = 3
    s: str = "it's"
    t: tuple[int, int] = (1, 2)
    b: bytes = b"\\x00"
    mode: Mode = Mode.FAST
    maybe: int | None = None
""")
    d = ok_json(run("--no-bundled", "--plugins", tmp_path, "--json", "show", "dflt.Thing"))
    got = {f["name"]: (f["default"], f["default_repr"]) for f in d["fields"]}
    assert got == {"n": (3, "3"), "s": ("it's", '"it\'s"'), "t": ([1, 2], "(1, 2)"),
                   "b": ({"$bytes": "AA=="}, "b'\\x00'"), "mode": ("fast", "<Mode.FAST: 'fast'>"),
                   "maybe": (None, "None")}
    assert d["hashable"] is True and all(f["hash"] for f in d["fields"])


def test_show_native_type(run):
    d = ok_json(run("--json", "show", "geo.Transform"))
    assert (d["origin"], d["plugin"]) == ("native", "geometry")
    assert [(f["name"], f["type"], f["default_factory"], f["required"]) for f in d["fields"]] == [
        ("translation", "geo.Vec3", True, False), ("rotation", "geo.Vec3", True, False),
        ("scale", "geo.Vec3", True, False)]


def test_show_native_defaults_are_written_as_python_would(run):
    d = ok_json(run("--json", "show", "geo.Color"))
    alpha = d["fields"][3]
    assert (alpha["name"], alpha["default"], alpha["default_repr"], alpha["doc"]) == \
        ("a", 1.0, "1.0", "Opacity: 1 is opaque")
    assert d["hashable"] is False and not any(f["hash"] for f in d["fields"])


def test_show_unknown_key_exits_1(run):
    r = run("--no-plugins", "show", "no.such.Type")
    assert r.returncode == 1
    assert r.stderr == "typehost-headless: no registered type 'no.such.Type'\n"


def test_plugins_table_shows_states_and_tracebacks(run, plugin_dir):
    broken = write(plugin_dir / "clibroken.py", BROKEN)
    r = run("--plugins", plugin_dir, "plugins")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "STATE", "TIME", "TYPES", "PATH"]
    table = lines[1:lines.index("")]
    rows = {line.split()[0]: line.split() for line in table}
    assert rows["cliplug"][1:3] == ["0.3", "loaded"] and rows["cliplug"][4:] == ["2", str(plugin_dir / "cliplug.py")]
    assert rows["clibroken"][1:3] == ["-", "failed"]
    assert "\nclibroken (failed): RuntimeError: clibroken fails on purpose\n" in r.stdout
    assert f'File "{broken}", line 5, in helper' in r.stdout
    assert f'File "{broken}", line 8, in <module>' in r.stdout


def test_plugins_json(run, plugin_dir):
    write(plugin_dir / "clibroken.py", BROKEN)
    rows = {p["name"]: p for p in ok_json(run("--plugins", plugin_dir, "--json", "plugins"))}
    assert {"cliplug", "clibroken", "geometry", "shapes", "inventory", "notes"} <= set(rows)
    cliplug = rows["cliplug"]
    assert (cliplug["state"], cliplug["version"], cliplug["description"], cliplug["native"]) == \
        ("loaded", "0.3", "Types for the CLI tests", False)
    assert sorted(cliplug["types"]) == ["cli.Line", "cli.Point"]
    assert rows["clibroken"]["state"] == "failed"
    assert rows["clibroken"]["error"] == "RuntimeError: clibroken fails on purpose"
    assert "Traceback (most recent call last)" in rows["clibroken"]["traceback"]
    assert rows["geometry"]["native"] is True


def test_values_prints_published_values_as_json(run, plugin_dir):
    r = run("--plugins", plugin_dir, "values")
    assert r.returncode == 0, r.stderr
    assert 'cli.origin = {\n  "$type": "cli.Point",' in r.stdout


def test_values_json(run, plugin_dir):
    values = ok_json(run("--plugins", plugin_dir, "--json", "values"))
    assert values["cli.origin"] == {"$type": "cli.Point", "x": 0.0, "y": 0.0, "tags": ["zero"]}
    assert "inventory.north" in values   # a bundled plugin's value


def test_values_without_plugins_is_empty(run):
    assert ok_json(run("--no-plugins", "--json", "values")) == {}


def test_dump_is_the_registry_as_json(run, plugin_dir):
    for args in (("dump",), ("--json", "dump")):
        dump = ok_json(run("--plugins", plugin_dir, *args))
        types = {t["key"]: t for t in dump["types"]}
        point = types["cli.Point"]
        assert (point["plugin"], point["origin"], point["doc"], point["parent"]) == \
            ("cliplug", "python", "A point in the plane.", None)
        assert [(f["name"], f["type"], f["default"], f["default_factory"], f["kw_only"])
                for f in point["fields"]] == [
            ("x", "float", None, False, False), ("y", "float", 0.0, False, False),
            ("tags", "list[str]", None, True, True)]
        assert types["cli.Line"]["fields"][0]["type"] == "cli.Point"


# ---------------------------------------------------------------------------------------
# validate


def test_validate_valid_file_exits_0(run, plugin_dir, tmp_path):
    doc = tmp_path / "line.json"
    doc.write_text(json.dumps({"start": {"x": 1.0}, "end": {"x": 2.0, "y": 3.0, "tags": ["a"]}}))
    r = run("--plugins", plugin_dir, "validate", "cli.Line", doc)
    assert (r.returncode, r.stdout) == (0, f"{doc}: valid cli.Line\n")
    assert ok_json(run("--plugins", plugin_dir, "--json", "validate", "cli.Line", doc)) == \
        {"valid": True, "errors": []}


def test_validate_invalid_file_exits_1_with_a_json_pointer(run, plugin_dir, tmp_path):
    doc = tmp_path / "line.json"
    doc.write_text(json.dumps({"start": {"x": 1.0}, "end": {"x": "far"}}))
    r = run("--plugins", plugin_dir, "validate", "cli.Line", doc)
    assert r.returncode == 1
    assert r.stderr.startswith(f"{doc}: ") and "/end/x" in r.stderr
    r = run("--plugins", plugin_dir, "--json", "validate", "cli.Line", doc)
    assert r.returncode == 1
    result = json.loads(r.stdout)
    assert result["valid"] is False
    assert [e["pointer"] for e in result["errors"]] == ["/end/x"]
    assert result["errors"][0]["message"]


def test_validate_lists_every_error_of_the_document(run, plugin_dir, tmp_path):
    doc = tmp_path / "line.json"
    doc.write_text(json.dumps({"start": {"x": "near", "z": 1}, "end": {"x": 1.0, "tags": [1, "a", 2]}}))
    r = run("--plugins", plugin_dir, "validate", "cli.Line", doc)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"{doc}: /start/x: expected float, got string",
        f"{doc}: /start/z: unknown field 'z' of cli.Point",
        f"{doc}: /end/tags/0: expected str, got integer",
        f"{doc}: /end/tags/2: expected str, got integer",
    ]
    result = json.loads(run("--plugins", plugin_dir, "--json", "validate", "cli.Line", doc).stdout)
    assert result["total"] == 4
    assert [e["pointer"] for e in result["errors"]] == ["/start/x", "/start/z", "/end/tags/0", "/end/tags/2"]


def test_validate_malformed_json_exits_1(run, plugin_dir, tmp_path):
    doc = tmp_path / "broken.json"
    doc.write_text('{"x": ')
    r = run("--plugins", plugin_dir, "--json", "validate", "cli.Point", doc)
    assert r.returncode == 1
    assert json.loads(r.stdout)["valid"] is False


def test_validate_unknown_key_or_missing_file_exits_1(run, plugin_dir, tmp_path):
    r = run("--plugins", plugin_dir, "validate", "no.such.Type", tmp_path / "x.json")
    assert (r.returncode, r.stderr) == (1, "typehost-headless: no registered type 'no.such.Type'\n")
    r = run("--plugins", plugin_dir, "validate", "cli.Point", tmp_path / "absent.json")
    assert r.returncode == 1
    assert r.stderr == f"typehost-headless: cannot read {tmp_path / 'absent.json'}: No such file or directory\n"


# ---------------------------------------------------------------------------------------
# run, -c, -m


def test_run_script_gets_its_arguments_and_exit_status(run, tmp_path):
    script = write(tmp_path / "script.py", """
        import sys
        import typehost
        print(sys.argv, __name__)
        sys.exit(int(sys.argv[1]))
    """)
    r = run("--no-plugins", "run", script, "3", "--json")
    assert r.returncode == 3, r.stderr
    assert r.stdout == f"{[str(script), '3', '--json']} __main__\n"


def test_run_script_that_ends_normally_exits_0(run, tmp_path):
    script = write(tmp_path / "fine.py", "print('fine')\n")
    r = run("--no-plugins", "run", script)
    assert (r.returncode, r.stdout) == (0, "fine\n")


def test_run_script_imports_from_its_directory(run, tmp_path):
    write(tmp_path / "lib" / "helper_mod.py", "VALUE = 42\n")
    script = write(tmp_path / "lib" / "main.py", "import helper_mod\nprint(helper_mod.VALUE)\n")
    r = run("--no-plugins", "run", script)
    assert (r.returncode, r.stdout) == (0, "42\n")


@pytest.mark.parametrize("code, status, stderr", [
    ("import sys; sys.exit(4)", 4, ""),
    ("import sys; sys.exit()", 0, ""),
    ("raise SystemExit('bye')", 1, "bye\n"),
    ("pass", 0, ""),
])
def test_c_exit_status_is_the_code_s(run, code, status, stderr):
    r = run("--no-plugins", "-c", code)
    assert (r.returncode, r.stderr) == (status, stderr)


PYTHON3 = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


@pytest.mark.parametrize("code", [
    "2**40", "2**31", "2**32 + 3", "2**63 - 1", "2**64", "-2**64", "-1", "256", "-2**63", "True",
])
def test_exit_code_is_truncated_like_python3(run, tmp_path, code):
    source = f"import sys; sys.exit({code})"
    expected = subprocess.run([PYTHON3, "-c", source], capture_output=True, text=True)
    assert expected.stderr == ""
    r = run("--no-plugins", "-c", source)
    assert (r.returncode, r.stderr) == (expected.returncode, "")
    script = write(tmp_path / "exits.py", source + "\n")
    r = run("--no-plugins", "run", script)
    assert (r.returncode, r.stderr) == (expected.returncode, "")


@pytest.mark.parametrize("code, stderr", [
    ("[1, 2]", "[1, 2]\n"), ("None", ""), ("'bye'", "bye\n"), ("2.5", "2.5\n"),
])
def test_non_int_exit_codes_behave_like_python3(run, tmp_path, code, stderr):
    source = f"raise SystemExit({code})"
    expected = subprocess.run([PYTHON3, "-c", source], capture_output=True, text=True)
    assert expected.stderr == stderr
    r = run("--no-plugins", "-c", source)
    assert (r.returncode, r.stderr) == (expected.returncode, stderr)
    write(tmp_path / "exits_mod.py", source + "\n")
    r = run("--no-plugins", "-m", "exits_mod", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (expected.returncode, stderr)


def test_c_gets_its_arguments(run):
    r = run("--no-plugins", "-c", "import sys; print(sys.argv)", "a", "--b")
    assert (r.returncode, r.stdout) == (0, "['-c', 'a', '--b']\n")


def test_uncaught_exception_exits_1_with_a_traceback(run, tmp_path):
    r = run("--no-plugins", "-c", "def f():\n    1 / 0\nf()")
    assert r.returncode == 1
    assert "Traceback (most recent call last)" in r.stderr
    assert 'File "<string>", line 2, in f' in r.stderr
    assert r.stderr.rstrip().endswith("ZeroDivisionError: division by zero")
    script = write(tmp_path / "boom.py", "raise KeyError('boom')\n")
    r = run("--no-plugins", "run", script)
    assert r.returncode == 1
    assert f'File "{script}", line 1, in <module>' in r.stderr
    assert r.stderr.rstrip().endswith("KeyError: 'boom'")


def test_m_runs_a_module_as_main(run, tmp_path):
    write(tmp_path / "climod.py", """
        import sys
        print(__name__, sys.argv[1:])
        sys.exit(5)
    """)
    r = run("--no-plugins", "-m", "climod", "x", "-y", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (5, "__main__ ['x', '-y']\n")


def test_m_unknown_module_exits_1(run):
    r = run("--no-plugins", "-m", "no_such_module_anywhere")
    assert r.returncode == 1
    assert "No module named no_such_module_anywhere" in r.stderr


def test_script_sees_the_loaded_plugins(run, plugin_dir):
    r = run("--plugins", plugin_dir, "-c",
            "import typehost; print(sorted(p.name for p in typehost.plugins() if p.state == 'loaded'))")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "['cliplug', 'geometry', 'inventory', 'notes', 'shapes']\n"


# ---------------------------------------------------------------------------------------
# Plugin options


def loaded(run, *args) -> dict:
    rows = ok_json(run(*args, "--json", "plugins"))
    return {p["name"]: p for p in rows}


def test_plugins_option_is_repeatable_and_comes_first(run, plugin_dir, tmp_path):
    second = tmp_path / "second"
    write(second / "second_plug.py", '__plugin__ = {"version": "2"}\n')
    write(second / "cliplug.py", '__plugin__ = {"version": "shadowed"}\n')
    rows = loaded(run, "--plugins", plugin_dir, "--plugins", second)
    assert rows["cliplug"]["version"] == "0.3"
    assert rows["second_plug"]["state"] == "loaded"
    assert list(rows)[:2] == ["cliplug", "second_plug"]


def test_plugin_path_environment_and_user_directory(run, env, tmp_path):
    from_env, user = tmp_path / "from_env", tmp_path / "xdg" / "xdg_data_home" / "typehost" / "plugins"
    write(from_env / "env_plug.py", "")
    write(user / "user_plug.py", "")
    env["TYPEHOST_PLUGIN_PATH"] = str(from_env)
    rows = loaded(run)
    assert rows["env_plug"]["state"] == rows["user_plug"]["state"] == "loaded"
    assert list(rows)[:2] == ["env_plug", "user_plug"]


def test_no_plugins_loads_none(run, env, tmp_path):
    write(tmp_path / "xdg" / "xdg_data_home" / "typehost" / "plugins" / "user_plug.py", "")
    assert ok_json(run("--no-plugins", "--json", "plugins")) == []
    r = run("--no-plugins", "plugins")
    assert (r.returncode, r.stdout) == (0, "(no plugins)\n")


def test_safe_mode_skips_every_plugin(run, plugin_dir):
    rows = loaded(run, "--plugins", plugin_dir, "--safe-mode")
    assert {p["state"] for p in rows.values()} == {"skipped"}
    assert rows["cliplug"]["error"] == "safe mode: no plugins are loaded"
    types = ok_json(run("--plugins", plugin_dir, "--safe-mode", "--json", "types"))
    assert all(t["plugin"] is None for t in types)


def test_plugin_timeout_interrupts_a_runaway_plugin(run, plugin_dir):
    runaway = write(plugin_dir / "spinner.py", "while True:\n    pass\n")
    started = time.monotonic()
    rows = loaded(run, "--plugins", plugin_dir, "--plugin-timeout", "1")
    assert time.monotonic() - started < 30
    assert rows["spinner"]["state"] == "failed"
    assert rows["spinner"]["error"] == "plugin 'spinner' ran longer than 1 s and was interrupted"
    assert f'File "{runaway}", line ' in rows["spinner"]["traceback"]
    assert rows["cliplug"]["state"] == "loaded"


@pytest.mark.parametrize("timeout", ["1e10", "inf", "1e400"])
def test_huge_plugin_timeout_is_clamped_and_plugins_load(run, plugin_dir, timeout):
    rows = loaded(run, "--plugins", plugin_dir, "--plugin-timeout", timeout)
    assert rows["cliplug"]["state"] == "loaded", rows["cliplug"]["error"]
    r = run("--plugins", plugin_dir, "--plugin-timeout", timeout, "-c",
            "from typehost import _plugins; print(_plugins.manager().timeout)")
    assert (r.returncode, r.stdout) == (0, "86400.0\n")


def test_plugin_timeout_is_not_disarmed_by_a_nested_call(run, plugin_dir):
    write(plugin_dir / "nested_spinner.py", """
        import _typehost
        _typehost._call_with_timeout(60, KeyboardInterrupt, lambda: None)
        while True:
            pass
    """)
    started = time.monotonic()
    rows = loaded(run, "--plugins", plugin_dir, "--plugin-timeout", "1")
    assert time.monotonic() - started < 30
    assert rows["nested_spinner"]["error"] == "plugin 'nested_spinner' ran longer than 1 s and was interrupted"


def test_allow_insecure_plugins(run, plugin_dir):
    path = plugin_dir / "cliplug.py"
    os.chmod(path, os.stat(path).st_mode | stat.S_IWOTH)
    rows = loaded(run, "--plugins", plugin_dir)
    assert rows["cliplug"]["state"] == "failed"
    assert rows["cliplug"]["error"] == (
        f"refusing to load plugin 'cliplug': {path} is writable by other users; "
        f"fix it with 'chmod o-w {path}' or start with --allow-insecure-plugins")
    rows = loaded(run, "--plugins", plugin_dir, "--allow-insecure-plugins")
    assert rows["cliplug"]["state"] == "loaded"


def test_crash_guard_from_an_earlier_run_skips_the_plugin(run, env, plugin_dir):
    state = os.path.join(env["XDG_STATE_HOME"], "typehost")
    os.makedirs(state)
    with open(os.path.join(state, "loading.json"), "w") as f:
        json.dump({"plugin": "cliplug", "pid": 1}, f)
    rows = loaded(run, "--plugins", plugin_dir)
    assert rows["cliplug"]["state"] == "skipped"
    assert "stopped while loading this plugin last time" in rows["cliplug"]["error"]
    config = os.path.join(env["XDG_CONFIG_HOME"], "typehost", "plugins.json")
    assert json.load(open(config)) == {"disabled": ["cliplug"]}
    assert loaded(run, "--plugins", plugin_dir)["cliplug"]["state"] == "disabled"


def test_command_words_after_the_command_are_its_arguments(run, plugin_dir, tmp_path):
    r = run("--no-plugins", "show", "run")
    assert (r.returncode, r.stderr) == (1, "typehost-headless: no registered type 'run'\n")


# ---------------------------------------------------------------------------------------
# -o FILE: written through, never replacing what is not a regular file


def test_output_through_a_symlink_writes_the_target(run, tmp_path):
    target = tmp_path / "real" / "types.pyi"
    target.parent.mkdir()
    target.write_text("old\n")
    os.chmod(target, 0o640)
    link = tmp_path / "link.pyi"
    link.symlink_to(target)
    r = run("--no-plugins", "stubs", "-o", link)
    assert (r.returncode, r.stderr) == (0, "")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith('"""Stubs of typehost.types')
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(os.listdir(target.parent)) == ["types.pyi"]   # no temporary file left


def test_output_through_a_dangling_symlink_creates_the_target(run, tmp_path):
    target = tmp_path / "schema.json"
    link = tmp_path / "link.json"
    link.symlink_to(target)
    r = run("--no-plugins", "schema", "-o", link)
    assert (r.returncode, r.stderr) == (0, "")
    assert link.is_symlink() and json.loads(target.read_text())


def test_output_to_a_regular_file_replaces_it(run, tmp_path):
    out = tmp_path / "out.pyi"
    out.write_text("old\n")
    r = run("--no-plugins", "stubs", "-o", out)
    assert r.returncode == 0 and out.read_text().startswith('"""Stubs')


def _not_regular(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    elif kind == "directory":
        path = tmp_path / "adir"
        path.mkdir()
    elif kind == "device":
        path = tmp_path / "null"
        try:
            os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))   # like /dev/null
        except PermissionError:
            pytest.skip("making a device node needs root")
    else:   # a link to a device (as `-o /dev/full` run as root replaced the node before)
        path = tmp_path / "full"
        path.symlink_to("/dev/full")
    return path


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "link to /dev/full"])
def test_output_to_something_not_a_regular_file_is_refused_and_left_alone(run, tmp_path, kind):
    path = _not_regular(tmp_path, kind)
    before = os.lstat(path)
    entries = sorted(os.listdir(tmp_path))
    r = run("--no-plugins", "stubs", "-o", path, timeout=30)
    assert r.returncode == 1 and r.stdout == ""
    if kind.startswith("link"):
        assert r.stderr == f"typehost-headless: cannot write {path} (a link to /dev/full): not a regular file\n"
    else:
        assert r.stderr == f"typehost-headless: cannot write {path}: not a regular file\n"
    after = os.lstat(path)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    assert sorted(os.listdir(tmp_path)) == entries
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_command_ends_as_finalization_begins_threads_joined_atexit_run_output_flushed(run, tmp_path):
    # Commands exit without tearing the interpreter down (docs/performance.md), but what
    # Py_Finalize does first still happens: non-daemon threads finish, atexit handlers run, and
    # buffered output reaches the file.
    mark = tmp_path / "thread-done"
    write(tmp_path / "plugs" / "exiting.py", f"""
        import atexit, sys, threading, time

        def _bye():
            sys.stderr.write("atexit ran\\\\n")   # no newline flush: the exit must flush it
        atexit.register(_bye)

        def _work():
            time.sleep(0.3)
            open({str(mark)!r}, "w").write("done")
        threading.Thread(target=_work).start()
    """)
    r = run("--no-bundled", "--plugins", tmp_path / "plugs", "types")
    assert r.returncode == 0, r.stderr
    assert "atexit ran" in r.stderr
    assert mark.read_text() == "done"
    out = tmp_path / "types.txt"
    r = run("--no-bundled", "--plugins", tmp_path / "plugs", "-o", out, "types")
    assert r.returncode == 0 and out.read_text().startswith("(no types registered)")
