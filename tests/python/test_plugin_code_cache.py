"""The plugins' code cache (typehost/_bytecode.py): a plugin's modules, its package's
submodules and the helper modules next to it are compiled once and then read from
$XDG_CACHE_HOME/typehost/bytecode, keyed by the hash of their source; no __pycache__ appears
in a plugin directory; an edit always runs, whatever its mtime; a cache that is corrupt or
cannot be written only costs the compile."""

from __future__ import annotations

import os
import sys

import pytest

from plugin_fixtures import manager, write, xdg  # noqa: F401 - fixtures
from typehost import _bytecode

PACKAGE_INIT = """
    from .part import PART
    VALUE = "init"
"""


@pytest.fixture
def compiles(monkeypatch):
    """The paths CachedSourceLoader compiled (cache misses), in order."""
    seen = []
    real = _bytecode.CachedSourceLoader.source_to_code

    def counting(self, data, path, *args, **kwargs):
        seen.append(os.path.basename(path))
        return real(self, data, path, *args, **kwargs)
    monkeypatch.setattr(_bytecode.CachedSourceLoader, "source_to_code", counting)
    return seen


def entries(xdg):
    d = xdg / "xdg_cache_home" / "typehost" / "bytecode"
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def forget(*names):
    for n in names:
        sys.modules.pop(n, None)


def test_second_load_reads_the_plugin_package_and_its_submodule_from_the_cache(tmp_path, manager, compiles, xdg):
    write(tmp_path / "p" / "cpkg" / "__init__.py", PACKAGE_INIT)
    write(tmp_path / "p" / "cpkg" / "part.py", "PART = 'part'\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert sys.modules["cpkg"].PART == "part"
    assert compiles == ["__init__.py", "part.py"]
    assert len([e for e in entries(xdg) if e.endswith(".c")]) == 2
    m.unload_all()
    forget("cpkg", "cpkg.part")
    m2 = manager(tmp_path / "p")
    m2.load_all()
    assert (m2.plugins["cpkg"].state, sys.modules["cpkg"].PART) == ("loaded", "part")
    assert compiles == ["__init__.py", "part.py"]   # nothing compiled the second time
    assert not (tmp_path / "p" / "cpkg" / "__pycache__").exists()


def test_helper_module_next_to_a_plugin_is_cached_and_writes_no_pycache(tmp_path, manager, compiles):
    write(tmp_path / "p" / "_chelper_util.py", "HELP = 41\n")
    write(tmp_path / "p" / "cuser.py", "import _chelper_util\nVALUE = _chelper_util.HELP + 1\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert sys.modules["cuser"].VALUE == 42
    assert "_chelper_util.py" in compiles
    assert not (tmp_path / "p" / "__pycache__").exists()
    forget("_chelper_util")


def test_an_edit_with_the_same_size_and_mtime_runs_the_new_code(tmp_path, manager, compiles):
    path = write(tmp_path / "p" / "csame.py", "VALUE = 1\n")
    m = manager(tmp_path / "p")
    m.load_all()
    st = os.stat(path)
    write(path, "VALUE = 2\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))   # what a pyc's mtime+size check cannot see
    assert m.reload("csame").ok
    assert sys.modules["csame"].VALUE == 2
    assert compiles == ["csame.py", "csame.py"]


def test_a_corrupt_cache_entry_is_compiled_again(tmp_path, manager, compiles, xdg):
    write(tmp_path / "p" / "ccorrupt.py", "VALUE = 'fine'\n")
    m = manager(tmp_path / "p")
    m.load_all()
    cache = xdg / "xdg_cache_home" / "typehost" / "bytecode"
    for entry in cache.iterdir():
        if entry.suffix == ".c":
            data = entry.read_bytes()
            entry.write_bytes(data[:12] + b"\x00garbage" + data[20:40])
    m.unload_all()
    forget("ccorrupt")
    m2 = manager(tmp_path / "p")
    m2.load_all()
    assert (m2.plugins["ccorrupt"].state, sys.modules["ccorrupt"].VALUE) == ("loaded", "fine")
    assert compiles == ["ccorrupt.py", "ccorrupt.py"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_cache_that_cannot_be_written_only_costs_the_compile(tmp_path, manager, xdg):
    cache = xdg / "xdg_cache_home"
    cache.mkdir(parents=True, exist_ok=True)
    cache.chmod(0o500)
    try:
        write(tmp_path / "p" / "cro.py", "VALUE = 3\n")
        m = manager(tmp_path / "p")
        m.load_all()
        assert sys.modules["cro"].VALUE == 3
    finally:
        cache.chmod(0o700)


def test_a_cache_path_that_is_a_file_only_costs_the_compile(tmp_path, manager, xdg):
    (xdg / "xdg_cache_home" / "typehost").parent.mkdir(parents=True, exist_ok=True)
    (xdg / "xdg_cache_home" / "typehost").write_text("not a directory")
    write(tmp_path / "p" / "cfile.py", "VALUE = 4\n")
    m = manager(tmp_path / "p")
    m.load_all()
    assert (m.plugins["cfile"].state, sys.modules["cfile"].VALUE) == ("loaded", 4)


def test_plugin_metadata_is_read_from_the_cache_until_the_source_changes(tmp_path, manager, monkeypatch):
    path = write(tmp_path / "p" / "cmeta.py", "__plugin__ = {'version': '1.0'}\n")
    from typehost._plugins import _metadata
    parsed = []
    real = _metadata.parse_metadata
    monkeypatch.setattr(_metadata, "parse_metadata", lambda f, s: parsed.append(f) or real(f, s))
    assert _metadata.read_metadata(str(path))[0] == {"version": "1.0"}
    assert _metadata.read_metadata(str(path))[0] == {"version": "1.0"}
    assert len(parsed) == 1
    write(path, "__plugin__ = {'version': '2.0'}\n")
    assert _metadata.read_metadata(str(path))[0] == {"version": "2.0"}
    assert len(parsed) == 2
    # a problem is kept as well: the same message without parsing again
    write(path, "__plugin__ = {'version': f()}\n")
    first = _metadata.read_metadata(str(path))
    assert first[1].endswith("__plugin__ must be a literal dict") and _metadata.read_metadata(str(path)) == first
    assert len(parsed) == 3
