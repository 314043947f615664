"""typehost: dataclass-like types whose instances keep their fields in C++ storage.

    from typehost import Object, py_class, field

    @py_class("geo.Point")
    class Point(Object):
        x: float
        y: float = 0.0

See docs/python-api.md for the full contract.
"""

import sys as _sys

__version__ = "0.1.0"

try:
    import _typehost  # noqa: F401 - the host's built-in module
except ModuleNotFoundError as _missing:
    # Outside the host only typehost.mypy_plugin works: it is pure Python, and mypy (run by a
    # plain python3) imports it through this package. Anything else gets the reason.
    if _missing.name != "_typehost" or "mypy" not in _sys.modules:
        raise ModuleNotFoundError(
            "typehost runs inside the typehost host, which provides its built-in module _typehost: "
            "run Python with `typehost-headless run SCRIPT` (or -c, -m), or in the typehost app; "
            "only typehost.mypy_plugin imports in a plain python3", name="_typehost") from None

    def __getattr__(name):
        raise ImportError(f"typehost.{name} needs the typehost host (its built-in module _typehost); "
                          "outside it only typehost.mypy_plugin imports")
else:
    import gc as _gc

    from _typehost import _collect_cycles as _typehost_collect
    from _typehost import _cycle_candidates as _typehost_candidates
    from _typehost import (Error, Object, RegistrationError, ValidationError, publish, published,
                           type_keys, unpublish)

    from ._api import convert, from_json, get_class, migrate, schema_of, to_builtins, to_json, type_info
    from dataclasses import KW_ONLY, MISSING, FrozenInstanceError, InitVar

    from ._dataclass_api import asdict, fields, replace
    from ._decorator import py_class
    from ._fields import Field, field
    from ._plugins import PluginStatus, PluginTimeout, plugins
    from ._views import Dict, List

    __all__ = [
        "Object", "py_class", "field", "Field", "fields", "asdict", "replace", "KW_ONLY", "MISSING",
        "InitVar", "FrozenInstanceError", "to_json", "from_json", "to_builtins", "convert", "type_info",
        "TypeInfo", "type_keys", "get_class", "schema_of", "publish", "unpublish", "published",
        "Error", "RegistrationError", "ValidationError", "List", "Dict", "plugins", "PluginStatus",
        "PluginTimeout", "json_schema", "stubs", "migrate",
    ]


    def __getattr__(name):
        # json_schema and stubs load their modules on first use (start-up: docs/performance.md)
        if name == "TypeInfo":   # made on first use, as json_schema and stubs load theirs
            from ._api import type_info_class
            return type_info_class()
        if name == "json_schema":
            from ._json_schema import json_schema
            return json_schema
        if name == "stubs":
            from ._stubs import stubs
            return stubs
        raise AttributeError(f"module 'typehost' has no attribute {name!r}")

    def _collect_cycles(phase, info, _collect=_typehost_collect):  # noqa: F821 - bound below
        # C++ storage takes part in gc.collect(): after CPython's own pass, the host breaks
        # unreachable cycles among objects and containers whose wrappers are gone.
        # CPython's oldest generation (gc.collect()) also re-examines the C++ nodes an earlier
        # collection found still referenced; younger ones only the new candidates.
        if phase == "stop" and (info.get("generation", 2) >= 1 or _typehost_candidates() > 10000):
            _collect(info.get("generation", 2) >= 2)

    _gc.callbacks.append(_collect_cycles)

    def _cli_main(command, args, options):
        from ._cli import main   # loaded only by the headless host's commands (start-up)
        return main(command, args, options)

    def _register_hooks():
        # What C++ calls in this package (host/include/typehost/hooks.h): the host imports none
        # of the private modules by name.
        from . import _plugins
        hooks = {
            "plugin_start": _plugins.start,
            "plugin_manager": _plugins.manager,
            "plugin_statuses": _plugins.plugins,
            "default_plugin_dirs": _plugins.default_plugin_dirs,
            "cli_main": _cli_main,
        }
        for name, fn in hooks.items():
            _typehost._set_hook(name, fn)

    _register_hooks()
