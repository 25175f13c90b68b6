"""Health of the components the service depends on, for load balancers and operators.

Each check returns a small dict; none includes an exception's text (it may carry hosts or
credentials), only its class name.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

Check = Callable[[], dict[str, object]]


def _timed(check: Callable[[], dict[str, object] | None]) -> dict[str, object]:
    started = time.monotonic()
    try:
        details = check() or {}
    except Exception as error:  # a health check reports failures, it never raises
        return {"status": "unhealthy", "error": type(error).__name__}
    details.setdefault("status", "healthy")
    details["latency_ms"] = round((time.monotonic() - started) * 1000, 1)
    return details


def check_database() -> dict[str, object]:
    def run() -> dict[str, object]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}

    return _timed(run)


def check_cache() -> dict[str, object]:
    def run() -> None:
        key = f"health:{uuid.uuid4().hex}"
        cache.set(key, "ok", timeout=10)
        if cache.get(key) != "ok":
            raise RuntimeError("cache did not return what was stored")
        cache.delete(key)

    return _timed(run)


def check_broker() -> dict[str, object]:
    from fortify_github.celery import app

    def run() -> dict[str, object]:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return {"transport": conn.transport.driver_type}

    return _timed(run)


def check_github_circuit() -> dict[str, object]:
    """The breaker in front of GitHub: open means calls fail fast while GitHub recovers."""
    from fortify_github.github.breaker import circuit_state

    def run() -> dict[str, object]:
        state = circuit_state()
        return {**state, "status": "degraded" if state.get("state") == "open" else "healthy"}

    return _timed(run)


def check_worker(timeout: float = 5.0) -> dict[str, object]:
    """Round-trip a ping task through the broker to a worker and back."""
    from fortify_github.tasks import ping

    def run() -> dict[str, object]:
        token = uuid.uuid4().hex
        reply = ping.delay(token).get(timeout=timeout)
        if reply.get("token") != token:
            raise RuntimeError("worker answered another ping")
        return {"worker_pid": reply["pid"]}

    return _timed(run)


def overall(components: dict[str, dict[str, object]]) -> str:
    statuses = {component["status"] for component in components.values()}
    if "unhealthy" in statuses:
        return "unhealthy"
    if "degraded" in statuses:
        return "degraded"
    return "healthy"
