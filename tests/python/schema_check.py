"""pytest plugin (-p schema_check): every JSON text the host writes during a test run is checked
against typehost.json_schema() (the whole registry as it is at that moment) and against
from_json, and the two must agree: what the reader takes validates, what it refuses does not.
(A value holding an instance of a redefined, stale type is refused by both.)

The report goes to the file named by TYPEHOST_SCHEMA_CHECK as JSON: {"checked": N,
"disagreements": [{"text": ..., "schema": [...], "reader": ...}]}. test_schema.py runs the
other test files with it.
"""

from __future__ import annotations

import json
import os

import jsonschema

import _typehost
import typehost

_write = _typehost._to_json
_validators: dict = {}
_report = {"checked": 0, "disagreements": []}


def _registry_state() -> tuple:
    state = []
    for key in _typehost.type_keys():
        try:
            state.append((key, _typehost._type_info(key)["generation"]))
        except (KeyError, TypeError):
            continue
    return tuple(state)


def _validator() -> jsonschema.Draft202012Validator:
    state = _registry_state()
    if state not in _validators:
        _validators.clear()
        _validators[state] = jsonschema.Draft202012Validator(typehost.json_schema())
    return _validators[state]


def _checked_to_json(value, indent):
    text = _write(value, indent)
    try:
        errors = [e.message for e in _validator().iter_errors(json.loads(text))][:3]
        try:
            _typehost._from_json(text, "Any")
            reader = ""
        except typehost.ValidationError as e:
            reader = str(e)
    except Exception as e:  # noqa: BLE001 - report, never break the test being run
        errors, reader = [f"check failed: {type(e).__name__}: {e}"], ""
    _report["checked"] += 1
    if bool(errors) != bool(reader):
        _report["disagreements"].append({"text": text[:500], "schema": errors, "reader": reader})
    return text


def pytest_configure(config):
    _typehost._to_json = _checked_to_json


def pytest_unconfigure(config):
    _typehost._to_json = _write
    path = os.environ.get("TYPEHOST_SCHEMA_CHECK")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_report, f, indent=2)
