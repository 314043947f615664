"""The plugins' code cache: compiled plugin modules kept by the hash of their source.

CPython's __pycache__ matches a .pyc to its source by whole-second modification time and size,
so an edit within the same second that keeps the size would reload stale code; the plugin
manager therefore never writes __pycache__ for plugin code, and every start used to compile
every plugin module again (a few milliseconds each, most of a short command's plugin time).
Here the key is the source itself: each entry holds the 64-bit source hash CPython's checked
hash-based .pyc files use (PEP 552), so a changed source never matches, whatever its mtime.

Entries live in $XDG_CACHE_HOME/typehost/bytecode (~/.cache/...), one file per source path,
written atomically; a cache that cannot be read or written (read-only home) only costs the
compile. The same entries keep each plugin's __plugin__ metadata, read without running it.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import marshal
import os

_MAGIC = importlib.util.MAGIC_NUMBER
_CODE, _META = b"c", b"m"


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "typehost", "bytecode")


def _entry(path: str, kind: bytes) -> str:
    name = importlib.util.source_hash(os.path.abspath(path).encode("utf-8", "surrogateescape")).hex()
    return os.path.join(cache_dir(), f"{name}.{kind.decode()}")


def _read(path: str, kind: bytes, key: bytes):
    """The cached object for (path, kind) made from a source whose hash is key; None on a miss."""
    try:
        with open(_entry(path, kind), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 20 or data[:4] != _MAGIC or data[4:12] != key:
        return None
    try:
        return marshal.loads(data[12:])
    except (ValueError, EOFError, TypeError):
        return None


def _write(path: str, kind: bytes, key: bytes, value) -> None:
    target = _entry(path, kind)
    tmp = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(_MAGIC + key + marshal.dumps(value))
        os.replace(tmp, target)
    except (OSError, ValueError):   # read-only or full disk; a value marshal cannot write
        try:
            os.unlink(tmp)
        except OSError:
            pass


def source_key(source: bytes) -> bytes:
    return importlib.util.source_hash(source)


def cached_metadata(path: str, source: bytes):
    """(hit, value) for the metadata stored for this exact source."""
    value = _read(path, _META, source_key(source))
    return (value is not None, value[0] if value is not None else None)


def store_metadata(path: str, source: bytes, value) -> None:
    _write(path, _META, source_key(source), (value,))


class CachedSourceLoader(importlib.machinery.SourceFileLoader):
    """A SourceFileLoader whose code comes from the cache when the source is unchanged. It
    never reads or writes __pycache__ (sys.dont_write_bytecode is irrelevant to it)."""

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        source = self.get_data(path)
        key = source_key(source)
        code = _read(path, _CODE, key)
        if code is not None and type(code).__name__ == "code" and code.co_filename == path:
            return code
        code = self.source_to_code(source, path)
        _write(path, _CODE, key, code)
        return code


def cached_spec(spec):
    """spec with a CachedSourceLoader in place of a plain source loader (others unchanged)."""
    if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader and spec.origin:
        spec.loader = CachedSourceLoader(spec.name, spec.origin)
    return spec
