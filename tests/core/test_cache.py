"""The Redis cache backend keeps one Redis client per connection pool, on a real Redis."""

import os

import pytest

from saypro.core.cache import RedisCache
from tests.conftest import skip_or_fail


@pytest.fixture
def redis_cache():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        skip_or_fail("needs CELERY_BROKER_URL (a Redis URL) for a real Redis")
    # Database 3: neither the broker's nor the results'.
    cache = RedisCache(url.rsplit("/", 1)[0] + "/3", {"KEY_PREFIX": "test-cache"})
    yield cache
    cache.clear()


def test_one_client_serves_every_operation_and_each_works(redis_cache):
    redis_cache.set("a", {"n": 1}, 30)
    redis_cache.add("b", 5, 30)
    redis_cache.incr("b")
    values = redis_cache.get_many(["a", "b", "missing"])
    redis_cache.delete("a")

    assert values == {"a": {"n": 1}, "b": 6}
    assert redis_cache.get("a") is None
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b", write=True) is client
    assert len(redis_cache._cache._clients) == 1


def test_production_settings_use_this_backend_with_a_cache_url(monkeypatch):
    import importlib

    import saypro.settings.base as base

    monkeypatch.setenv("CACHE_URL", "redis://127.0.0.1:6379/1")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"] == "saypro.core.cache.RedisCache"
    finally:
        monkeypatch.delenv("CACHE_URL")
        importlib.reload(base)
