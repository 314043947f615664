"""Shared fixtures for the typehost tests (run inside typehost-headless under pytest)."""

import itertools
import re

import pytest

_counter = itertools.count()


def _unique_key(request) -> str:
    name = re.sub(r"\W", "_", request.node.name)
    return f"tests.{name}_{next(_counter)}"


@pytest.fixture
def key(request):
    """A type key unique to this test, so registrations never collide between tests."""
    return _unique_key(request)


@pytest.fixture
def new_key(request):
    """Makes more unique type keys, for tests that register several types."""
    return lambda: _unique_key(request)
