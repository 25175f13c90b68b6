"""A circuit breaker in front of GitHub, shared by every process (pybreaker).

After ``GITHUB_CIRCUIT_FAIL_MAX`` consecutive failures *reaching* GitHub (connection errors,
timeouts, 5xx) calls fail fast with ``CircuitOpen`` for ``GITHUB_CIRCUIT_RESET_SECONDS``, so
workers re-schedule their tasks instead of piling up on a dead upstream; then one trial call
decides. 4xx answers and rate limits prove GitHub is up and count as successes.

State lives in Redis (``CircuitRedisStorage``) or, on the embedded default, in the Django
cache, so ``/health`` in the web process sees what the workers saw.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pybreaker
import redis
from django.conf import settings
from django.core.cache import cache

from fortify_github.github import shared
from fortify_github.github.conf import conf
from fortify_github.github.errors import CircuitOpen, ServerError, Unavailable

logger = logging.getLogger("fortify_github.github")
T = TypeVar("T")

_lock = threading.Lock()
_breakers: dict[tuple[Any, ...], tuple[pybreaker.CircuitBreaker,
                                       pybreaker.CircuitBreakerStorage]] = {}


def counts_as_failure(error: BaseException) -> bool:
    """Only failures to get a sound answer from GitHub trip the breaker."""
    return isinstance(error, ServerError | Unavailable) and not isinstance(error, CircuitOpen)


class CircuitCacheStorage(pybreaker.CircuitBreakerStorage):
    """pybreaker state in the Django cache (the embedded default has no Redis)."""

    def __init__(self, namespace: str) -> None:
        super().__init__("django-cache")
        self._namespace = namespace
        cache.add(self._key("state"), pybreaker.STATE_CLOSED, timeout=None)

    def _key(self, name: str) -> str:
        return f"{self._namespace}:{name}"

    @property
    def state(self) -> str:
        return cache.get(self._key("state")) or pybreaker.STATE_CLOSED

    @state.setter
    def state(self, state: str) -> None:
        cache.set(self._key("state"), state, timeout=None)

    def _incr(self, name: str) -> None:
        cache.add(self._key(name), 0, timeout=None)
        try:
            cache.incr(self._key(name))
        except ValueError:
            cache.set(self._key(name), 1, timeout=None)

    def increment_counter(self) -> None:
        self._incr("fail_counter")

    def reset_counter(self) -> None:
        cache.set(self._key("fail_counter"), 0, timeout=None)

    def increment_success_counter(self) -> None:
        self._incr("success_counter")

    def reset_success_counter(self) -> None:
        cache.set(self._key("success_counter"), 0, timeout=None)

    @property
    def counter(self) -> int:
        return int(cache.get(self._key("fail_counter")) or 0)

    @property
    def success_counter(self) -> int:
        return int(cache.get(self._key("success_counter")) or 0)

    @property
    def opened_at(self) -> datetime | None:
        stamp = cache.get(self._key("opened_at"))
        return datetime.fromtimestamp(float(stamp), tz=UTC) if stamp else None

    @opened_at.setter
    def opened_at(self, now: datetime) -> None:
        cache.set(self._key("opened_at"), now.timestamp(), timeout=None)


class _LogListener(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        old = getattr(old_state, "name", None)
        if old == new_state.name:
            return
        level = logging.WARNING if new_state.name == pybreaker.STATE_OPEN else logging.INFO
        logger.log(level, "GitHub circuit breaker %s -> %s", old, new_state.name,
                   extra={"circuit_state": new_state.name})


def _make_storage(namespace: str) -> pybreaker.CircuitBreakerStorage:
    client = shared.redis_client()
    if client is None:
        return CircuitCacheStorage(namespace)
    try:
        return pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client,
                                             namespace=namespace)
    except redis.exceptions.RedisError:
        logger.warning("Redis unreachable: GitHub circuit breaker state kept per process")
        return pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)


def _breaker() -> tuple[pybreaker.CircuitBreaker, pybreaker.CircuitBreakerStorage]:
    settings_now = conf()
    config = (settings_now.api_url, settings.REDIS_URL, settings_now.circuit_fail_max,
              settings_now.circuit_reset_seconds)
    with _lock:
        found = _breakers.get(config)
        if found is None:
            storage = _make_storage(shared.key("circuit"))
            breaker = pybreaker.CircuitBreaker(
                fail_max=settings_now.circuit_fail_max,
                reset_timeout=settings_now.circuit_reset_seconds,
                exclude=[lambda error: not counts_as_failure(error)],
                state_storage=storage,
                name="github",
                throw_new_error_on_trip=False,
                listeners=[_LogListener()],
            )
            found = _breakers[config] = (breaker, storage)
        return found


def _retry_in(breaker: pybreaker.CircuitBreaker,
              storage: pybreaker.CircuitBreakerStorage) -> float:
    opened_at = storage.opened_at
    if opened_at is None:
        return breaker.reset_timeout
    return max(opened_at.timestamp() + breaker.reset_timeout - time.time(), 0.0)


def guarded(func: Callable[[], T], *, endpoint: str = "") -> T:
    """Run one HTTP exchange through the breaker; ``CircuitOpen`` while it is open.

    ``CircuitBreaker.call`` holds a process-wide lock for the whole call, which would
    serialise every GitHub request of a threaded web process; the state object's ``call``
    does the same bookkeeping without it.
    """
    breaker, storage = _breaker()
    try:
        return breaker.state.call(func)
    except pybreaker.CircuitBreakerError:
        retry_in = _retry_in(breaker, storage)
        raise CircuitOpen(
            "GitHub circuit breaker is open after repeated failures; failing fast",
            endpoint=endpoint, retry_after=max(retry_in, 1.0),
        ) from None


def circuit_state() -> dict[str, object]:
    """The breaker as ``/health`` reports it: state, failures, and when it may close."""
    breaker, storage = _breaker()
    state = breaker.current_state
    opened_at = storage.opened_at
    details: dict[str, object] = {
        "state": state,
        "fail_counter": breaker.fail_counter,
        "fail_max": breaker.fail_max,
        "reset_timeout": breaker.reset_timeout,
        "opened_at": opened_at.isoformat() if opened_at and state != "closed" else None,
        "shared": not isinstance(storage, pybreaker.CircuitMemoryStorage),
    }
    if state == pybreaker.STATE_OPEN:
        details["retry_in"] = round(_retry_in(breaker, storage), 1)
    return details


def reset_circuit() -> None:
    """Close the circuit by hand (operators, tests)."""
    breaker, _ = _breaker()
    breaker.close()
