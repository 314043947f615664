"""A plugin's status: the plugin states, PluginStatus, PluginTimeout and the timeout's bound,
and how a failure becomes a status (describe: one error line and the traceback from the
plugin's own code down)."""

from __future__ import annotations

import math
import os

import _typehost

LOADED, FAILED, DISABLED, SKIPPED, UNLOADED = "loaded", "failed", "disabled", "skipped", "unloaded"

# The longest a plugin's import, register() or unregister() may run (one day): a larger timeout,
# inf included, counts as this. The same as typehost::kMaxPluginTimeoutSeconds, by which
# _call_with_timeout clamps too (_typehost._max_timeout(); a test checks they agree).
MAX_TIMEOUT = 86400.0

# The error of a plugin the crash guard skipped (the start of it; the rest names the guard file).
CRASH_GUARD_SKIP = "skipped: Typehost stopped while loading this plugin last time"


def checked_timeout(timeout) -> float:
    """The plugin timeout in seconds: 0 for none, at most MAX_TIMEOUT; nan and negative
    numbers are refused."""
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise ValueError(f"the plugin timeout must be a number of seconds, got {timeout!r}") from None
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"the plugin timeout must be 0 (none) or a positive number of seconds, got {timeout!r}")
    return min(seconds, MAX_TIMEOUT)


# The classes of this package are typehost._plugins.X, where other code imports them from (a
# traceback names typehost._plugins.PluginTimeout, as it did before the package was split).

class PluginTimeout(KeyboardInterrupt):
    """Raised inside plugin code that runs longer than the plugin timeout. A KeyboardInterrupt,
    so that `except Exception` in plugin code does not swallow it."""

    __module__ = __package__


# One plugin's status: typehost::PluginStatus (host/include/typehost/plugin_manager.h), bound
# once by the host (host/src/bind_plugin_status.cpp), so that the manager here and the C++
# PluginManager and the UI share one type. Fields: name, path, version, description, requires,
# native, state, load_seconds, types, error, traceback, warnings (a loaded plugin's problems at
# the end of its load: a class still waiting for a name, a dotted reference no type is
# registered under; one line each, "FILE:LINE: KEY.FIELD: problem"; the state stays "loaded").
PluginStatus = _typehost.PluginStatus
PluginStatus.__module__ = __package__


# The typehost package's directory: its frames (the plugin manager, the code cache's loader)
# are left out of a plugin's traceback.
_HOST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _is_host_frame(filename: str) -> bool:
    """A frame of the typehost package (the plugin manager) or of importlib's bootstrap."""
    return filename.startswith(_HOST_DIR) or filename.startswith("<frozen importlib")


def describe(exc: BaseException) -> tuple[str, str]:
    """(error, traceback) of a plugin failure. The traceback starts at the plugin's own
    code: the manager's frames and importlib's above it are left out, as importlib leaves
    out its own. Every frame from the plugin's down is kept, and an error with no plugin
    frame at all (a bug in the manager) keeps every frame."""
    error = str(exc) if isinstance(exc, PluginTimeout) else f"{type(exc).__name__}: {exc}"
    tb = exc.__traceback__
    while tb is not None and _is_host_frame(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    if tb is None and not isinstance(exc, SyntaxError):   # a SyntaxError names its own line
        tb = exc.__traceback__
    import traceback   # error paths only: traceback costs ~2 ms at start-up
    return error, "".join(traceback.format_exception(type(exc), exc, tb))
