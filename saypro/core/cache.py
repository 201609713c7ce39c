"""The Redis cache, with one Redis client per connection pool instead of one per operation.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and building one
fills its table of response callbacks: 125 µs here, as long as the GET it serves. A page makes
from three to ten cache reads (session, person, versions, fragments), so this was up to a
millisecond per request. A `redis.Redis` is safe to share between threads (each command takes a
connection from the pool), and the pool itself is already kept per process.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
