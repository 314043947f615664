"""ReloadReport, what a reload returns, and what fills it: the changes of the plugin's own types
(added, removed, changed: fields added, removed, retyped, defaults changed) and the published
values migrated to the new versions."""

from __future__ import annotations

from dataclasses import dataclass, field

import _typehost


def _make_reload_report_class():
    # Made on first use (reload_report_class): a dataclass costs code generation at start-up,
    # and only a reload makes reports.
    @dataclass
    class ReloadReport:
        plugin: str
        ok: bool = False
        added: list = field(default_factory=list)
        removed: list = field(default_factory=list)
        changed: list = field(default_factory=list)   # [{"key", "fields_added", ...}]
        also_reloaded: list = field(default_factory=list)
        # Published values that reached instances of the reloaded types: [{"name", "migrated",
        # "objects", "issues": [(JSON pointer, reason)]}], migrated with the reload or left stale.
        values: list = field(default_factory=list)
        error: str = ""
        traceback: str = ""

        def as_dict(self) -> dict:
            return {k: getattr(self, k) for k in self.__dataclass_fields__}

    ReloadReport.__qualname__ = "ReloadReport"
    ReloadReport.__module__ = __package__
    return ReloadReport


_ReloadReport = None


def reload_report_class() -> type:
    """ReloadReport (typehost._plugins.ReloadReport is this, through the package's __getattr__)."""
    global _ReloadReport
    if _ReloadReport is None:
        _ReloadReport = _make_reload_report_class()
    return _ReloadReport


def reload_report(**kwargs):
    return reload_report_class()(**kwargs)


def type_snapshot(keys) -> dict:
    """key -> {field: (schema, default)} of the registered types among keys, as a reload compares
    them before and after."""
    snap = {}
    for k in keys:
        try:
            info = _typehost._type_info(k)
        except (KeyError, TypeError):
            continue
        snap[k] = {f["name"]: (f["type"], repr(f["python_default"]) if f["has_default"] else
                               ("<factory>" if f["default_factory"] else None)) for f in info["fields"]}
    return snap


def report_type_changes(report, before_types: dict, after_keys: list) -> None:
    """Sets report's added, removed and changed from the plugin's types before the reload (a
    type_snapshot) and its keys after it."""
    after_types = type_snapshot(after_keys)
    report.added = sorted(k for k in after_keys if k not in before_types)
    report.removed = sorted(k for k in before_types if k not in after_types)
    for k in sorted(set(before_types) & set(after_types)):
        old, new = before_types[k], after_types[k]
        change = {
            "key": k,
            "fields_added": [f for f in new if f not in old],
            "fields_removed": [f for f in old if f not in new],
            "fields_retyped": [f for f in new if f in old and new[f][0] != old[f][0]],
            "defaults_changed": [f for f in new if f in old and new[f][1] != old[f][1]],
        }
        if any(change[c] for c in change if c != "key"):
            report.changed.append(change)


def migrated_values() -> list:
    """The published values migrated to the reloaded types (ReloadReport.values)."""
    try:
        return _typehost._migrate_published()
    except Exception as exc:  # noqa: BLE001 - e.g. a default_factory of a new field raised
        return [{"name": "", "migrated": False, "objects": 0,
                 "issues": [("", f"migration stopped: {type(exc).__name__}: {exc}")]}]
