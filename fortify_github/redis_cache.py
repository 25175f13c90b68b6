"""Django's Redis cache backend with one redis-py client per server, not one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache
operation. With redis-py 8 that constructor copies its table of ~170 response callbacks
each time: ~99 µs (``timeit``), nearly the ~119 µs of the ``GET`` round trip it precedes. A
GitHub API request reads and writes the shared cache six times (installation token, ETag
cache, rate-limit budget): one blob request went from 8.7-9.3 to 8.0-8.8 ms
(``docs/performance.md``).

A ``redis.Redis`` client holds no connection of its own (each command borrows one from the
pool, which replaces its connections after a fork), so one client per pool is safe to share
between threads and processes, as Django already shares the pools.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    """``RedisCacheClient`` whose ``get_client`` returns the same client for the same pool."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django_client: Any = self  # the stubs omit Django's private pool and client class
        pool = django_client._get_connection_pool(write)
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients.setdefault(id(pool),
                                              django_client._client(connection_pool=pool))
        return client


class ReusedClientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with :class:`ReusedClientRedisCacheClient`
    (same ``LOCATION`` and ``OPTIONS``)."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
