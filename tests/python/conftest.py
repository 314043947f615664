"""Shared fixtures for the typehost tests (run inside typehost-headless under pytest)."""

import itertools

import pytest

_counter = itertools.count()


@pytest.fixture
def key(request):
    """A type key unique to this test, so registrations never collide between tests."""
    name = request.node.name.replace("[", "_").replace("]", "").replace("-", "_")
    return f"tests.{name}_{next(_counter)}"
