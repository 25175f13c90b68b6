"""The Redis cache backend that reuses its redis-py client (``fortify_github.redis_cache``),
against the real Redis the tests use."""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from fortify_github.redis_cache import ReusedClientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache needs REDIS_URL")


def test_the_configured_cache_is_the_reusing_backend():
    assert isinstance(caches["default"], ReusedClientRedisCache)


def test_every_call_gets_the_same_client_and_the_cache_still_works():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    key = f"test:{uuid.uuid4().hex}"
    cache.set(key, {"token": "value"}, timeout=30)
    assert cache.get(key) == {"token": "value"}
    assert cache._cache.get_client(key) is client


def test_threads_share_the_client_without_mixing_answers():
    keys = {f"test:{uuid.uuid4().hex}": index for index in range(40)}
    wrong: list[str] = []

    def work(key: str, value: int) -> None:
        for _ in range(25):
            cache.set(key, value, timeout=30)
            if cache.get(key) != value:
                wrong.append(key)

    threads = [threading.Thread(target=work, args=item) for item in keys.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert cache.get_many(list(keys)) == keys


def test_a_forked_process_uses_the_shared_client_on_connections_of_its_own():
    """Celery's prefork workers fork after the cache was used: the child must not talk over
    the parent's sockets (redis-py's pool replaces them in the child)."""
    key = f"test:{uuid.uuid4().hex}"
    cache.set(key, "parent", timeout=30)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it read, then leave without running pytest's exit
        try:
            cache.set(f"{key}:child", "child", timeout=30)
            os.write(write, str(cache.get(key)).encode())
        finally:
            os._exit(0)
    os.close(write)
    seen = os.read(read, 100).decode()
    os.waitpid(pid, 0)
    assert seen == "parent"
    assert cache.get(f"{key}:child") == "child"
    assert cache.get(key) == "parent", "the parent's connections still answer"
