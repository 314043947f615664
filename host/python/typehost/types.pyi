"""Registered types by key (see types.py). This generic stub types every name as Any; for
real classes generate the stub of the registry you use: typehost-headless stubs -o FILE."""

from typing import Any

def __getattr__(name: str) -> Any: ...
