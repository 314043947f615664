"""Running Python as python3 does: `run FILE` (also a directory or zip app with __main__.py,
or - for stdin), `-c CODE` and `-m MODULE`. prepare_python checks the arguments and prepares
the run before any plugin loads; run_python runs it and returns the exit status, with the
traceback of an uncaught exception shown without the host's frames."""

from __future__ import annotations

import builtins
import io
import os
import sys
import types as _types_module

from ._output import USAGE_ERROR, flush_stdout, silence_stdout, stdout_reader_gone, usage


def _fresh_main(**attrs) -> _types_module.ModuleType:
    """A new module __main__ in sys.modules, with the globals python3 gives a script's."""
    main = _types_module.ModuleType("__main__")
    main.__dict__.update({"__builtins__": builtins, "__spec__": None, "__package__": None}, **attrs)
    sys.modules["__main__"] = main
    return main


def prepare_python(kind: str, args: list[str]):
    """Checks run/-c/-m's arguments before any plugin loads, as python3 checks them before
    running anything: returns a usage or open error's exit status, or the function that runs
    the code and returns its exit status."""
    if not args:
        return usage(f"{kind} needs an argument")
    target, rest = args[0], args[1:]
    from importlib.machinery import BuiltinImporter
    if kind == "-c":
        def run_c():
            sys.argv = ["-c", *rest]
            sys.path.insert(0, "")
            main = _fresh_main(__loader__=BuiltinImporter)
            exec(compile(target, "<string>", "exec", dont_inherit=True), main.__dict__)  # noqa: S102
        return run_c
    if kind == "-m":
        def run_m():
            import runpy
            sys.argv = [target, *rest]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        return run_m
    if target == "-":
        def run_stdin():
            sys.argv = ["-", *rest]
            sys.path.insert(0, "")
            source = sys.stdin.buffer.read()
            main = _fresh_main(__file__="<stdin>", __loader__=BuiltinImporter)
            exec(compile(source, "<stdin>", "exec", dont_inherit=True), main.__dict__)  # noqa: S102
        return run_stdin
    path = os.path.abspath(target)
    if os.path.isdir(path):
        source = None
    else:
        try:
            with io.open_code(path) as f:
                source = f.read()
        except OSError as e:
            print(f"typehost-headless: can't open file '{path}': [Errno {e.errno}] {e.strerror}", file=sys.stderr)
            return USAGE_ERROR

    def run_file():
        # sys.argv and sys.path[0] as python3 sets them: the name as given, the script's
        # directory with symbolic links resolved.
        sys.argv = [target, *rest]
        if source is None or _is_zip(source):   # a directory or zip file with __main__.py
            import runpy
            runpy.run_path(path, run_name="__main__")   # path first in sys.path, as python3
            return
        sys.path.insert(0, os.path.dirname(os.path.realpath(path)))
        from importlib.machinery import SourceFileLoader
        main = _fresh_main(__file__=path, __cached__=None, __loader__=SourceFileLoader("__main__", path))
        exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)  # noqa: S102
    return run_file


def _is_zip(source: bytes) -> bool:
    if b"PK\x05\x06" not in source[-65557:]:   # no end of central directory: not a zip file
        return False
    import zipfile
    return zipfile.is_zipfile(io.BytesIO(source))


def _is_host_frame(filename: str) -> bool:
    """A frame of this module or of runpy, which run the script: not shown in its traceback.
    (The traceback starts at run_python's frame, so the host frames it holds are this
    module's: run_python and the function prepare_python made.)"""
    runpy = sys.modules.get("runpy")
    return filename == __file__ or filename.startswith("<frozen runpy") or \
        (runpy is not None and filename == getattr(runpy, "__file__", None))


def run_python(run) -> int:
    """Runs the code and returns its exit status the way python3 does: SystemExit's code, 1
    and the traceback (without the host's frames) for an uncaught exception. A closed stdout
    is not an error: an uncaught BrokenPipeError on stdout exits 0 without a message."""
    try:
        run()
        status = 0
    except SystemExit as e:
        status = _exit_status(e.code)
    except BaseException as e:  # noqa: BLE001 - the script's failure is its exit status
        if isinstance(e, BrokenPipeError) and stdout_reader_gone():
            silence_stdout()
            return 0
        tb = e.__traceback__
        while tb is not None and _is_host_frame(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        if tb is None and isinstance(e, ImportError):
            # -m with no such module, a directory without __main__.py: one line, as python3
            print(f"typehost-headless: {e}", file=sys.stderr)
        else:
            import traceback
            traceback.print_exception(type(e), e, tb)
        status = 1
    flush_stdout()
    return status


def _exit_status(code) -> int:
    """The exit status python3 gives for sys.exit(code): None is 0; an int is taken as a C long
    (-1 when it does not fit) and cast to a C int, of which the system keeps the low byte
    (2**40 exits 0, 2**64 exits 255); anything else is printed to stderr and exits 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        value = int(code) if -2**63 <= code < 2**63 else -1
        return (value + 2**31) % 2**32 - 2**31
    try:
        print(code, file=sys.stderr)
    except Exception:  # noqa: BLE001 - as python3: an unprintable code still exits 1
        pass
    return 1
