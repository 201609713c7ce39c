"""Fixtures of the core tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login rate limits live in the (in-memory) cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()
