"""Requires a plugin that is not installed: it must not even be imported."""

raise AssertionError("needs_missing must not be imported")

__plugin__ = {"name": "needs_missing", "requires": ["not_installed"]}
