"""State shared by every process: Redis when ``REDIS_URL`` is set, else the Django cache.

Tokens, locks, rate-limit budgets, throttles and the circuit breaker must be the same for the
web process and every worker; a per-process dict would give each its own view (the classic
"every worker fetches its own installation token" bug).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache

import redis
from django.conf import settings
from django.core.cache import cache

from fortify_github.github.errors import Unavailable

KEY_PREFIX = "github"


class LockTimeout(Unavailable):
    """Another process held the lock for longer than we were willing to wait.

    Transient (an ``Unavailable`` that was never sent): the caller's task retries later
    instead of failing the work for good."""

    def __init__(self, name: str) -> None:
        super().__init__(f"timed out waiting for the shared lock {name}", sent=False,
                         retry_after=5)


def api_namespace() -> str:
    """A short stable id of the GitHub host, so GHES and github.com state never mix."""
    return hashlib.sha256(settings.GITHUB_API_URL.encode()).hexdigest()[:10]


def key(*parts: object) -> str:
    return ":".join([KEY_PREFIX, api_namespace(), *(str(part) for part in parts)])


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5,
                                health_check_interval=30)


def redis_client() -> redis.Redis | None:
    """A Redis client for ``REDIS_URL`` (one pool per process), or None on the embedded default."""
    url = settings.REDIS_URL
    return _redis(url) if url else None


@contextmanager
def shared_lock(name: str, *, timeout: float, blocking_timeout: float) -> Iterator[None]:
    """A lock across processes: ``timeout`` frees it if the holder dies, ``blocking_timeout``
    bounds how long we wait for it (``LockTimeout`` after)."""
    client = redis_client()
    if client is not None:
        lock = client.lock(key("lock", name), timeout=timeout, blocking_timeout=blocking_timeout)
        if not lock.acquire():
            raise LockTimeout(name)
        try:
            yield
        finally:
            # Expired while held: someone else may own it now, so it is not ours to release.
            with suppress(redis.exceptions.LockError):
                lock.release()
        return
    # Embedded default: ``cache.add`` is atomic on the database cache (INSERT, unique key).
    lock_key, owner = key("lock", name), uuid.uuid4().hex
    deadline = time.monotonic() + blocking_timeout
    delay = 0.02
    while not cache.add(lock_key, owner, timeout=max(int(timeout), 1)):
        if time.monotonic() >= deadline:
            raise LockTimeout(name)
        time.sleep(delay)
        delay = min(delay * 2, 0.25)
    try:
        yield
    finally:
        if cache.get(lock_key) == owner:
            cache.delete(lock_key)
