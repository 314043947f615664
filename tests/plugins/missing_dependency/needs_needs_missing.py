"""Requires needs_missing, which cannot load: it fails too."""

raise AssertionError("needs_needs_missing must not be imported")

__plugin__ = {"name": "needs_needs_missing", "requires": ["needs_missing"]}
