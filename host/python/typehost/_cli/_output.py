"""Where the commands' output goes: usage and error lines on stderr with their exit status,
a stdout whose reader went away, and -o/--output FILE. run_command runs a built-in command
with its output sent to one or the other."""

from __future__ import annotations

import io
import os
import stat
import sys

USAGE_ERROR = 2


def usage(message: str) -> int:
    print(f"typehost-headless: {message}\nTry 'typehost-headless --help'.", file=sys.stderr)
    return USAGE_ERROR


def usage_line(message: str) -> int:
    """A usage error about an option: one line on stderr, exit status 2."""
    print(f"typehost-headless: {message}", file=sys.stderr)
    return USAGE_ERROR


def error(message: str) -> int:
    print(f"typehost-headless: {message}", file=sys.stderr)
    return 1


# ---- a closed stdout
#
# `typehost-headless values | head -3`: when the reader of stdout goes away, writing stops
# quietly. A command's exit status is what it would be otherwise (0 for a listing); a
# script's too, or 0 when the BrokenPipeError on stdout ends it uncaught.


def stdout_reader_gone() -> bool:
    """True when stdout is a pipe or socket whose reading end is closed."""
    import select
    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def silence_stdout() -> None:
    """Points file descriptor 1 at /dev/null: what is still buffered, and what the
    interpreter flushes at exit, goes nowhere instead of raising again."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.__stdout__.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def flush_stdout() -> None:
    for stream in {id(s): s for s in (sys.stdout, sys.__stdout__) if s is not None}.values():
        try:
            stream.flush()
        except BrokenPipeError:
            silence_stdout()
        except (OSError, ValueError):   # closed by the script: as python3, not its failure
            pass


class _StdoutGuard:
    """sys.stdout for the built-in commands: once the reader is gone, writes are dropped."""

    def __init__(self, stream):
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._gone = True
                silence_stdout()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone = True
                silence_stdout()

    def __getattr__(self, name):
        return getattr(self._stream, name)


# ---- -o/--output FILE


def _write_output(text: str, opts) -> int:
    """Writes to -o FILE or to stdout. FILE is written through: a symbolic link is followed
    and its target replaced whole, or not at all (a temporary file beside the target, renamed
    over it, with the target's permissions). A path that is not a regular file (a device, a
    FIFO, a directory, also behind a link) is refused and left alone."""
    path = opts.get("output")
    if not path:
        sys.stdout.write(text)
        return 0
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        print(f"typehost-headless: cannot write {path}: {e.strerror}", file=sys.stderr)
        return 1
    if st is not None and not stat.S_ISREG(st.st_mode):
        shown = path if target == os.path.abspath(path) else f"{path} (a link to {target})"
        print(f"typehost-headless: cannot write {shown}: not a regular file", file=sys.stderr)
        return 1
    tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.tmp{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                     stat.S_IMODE(st.st_mode) if st is not None else 0o666)
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            if st is not None:   # the target's permissions and, where allowed, its owner
                os.chmod(fd, stat.S_IMODE(st.st_mode))
                try:
                    os.chown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass
            f.write(text)
        os.replace(tmp, target)
    except OSError as e:
        print(f"typehost-headless: cannot write {path}: {e.strerror}", file=sys.stderr)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return 1
    return 0


def run_command(handler, opts) -> int:
    """Runs a built-in command: its output goes to -o FILE (written only when the command
    succeeded or printed something, never on a usage error) or to stdout, where a closed
    reader ends the output quietly (the command's status stands)."""
    if opts.get("output") is not None:
        import contextlib
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            status = handler()
        text = buffer.getvalue()
        if status == USAGE_ERROR or (status != 0 and not text):
            return status
        return _write_output(text, opts) or status
    guard = _StdoutGuard(sys.stdout)
    sys.stdout = guard
    try:
        status = handler()
        guard.flush()
    finally:
        sys.stdout = guard._stream
    return status
