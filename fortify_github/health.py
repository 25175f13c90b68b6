"""Health of the components the service depends on, for load balancers and operators.

Each check returns a small dict; none includes an exception's text (it may carry hosts or
credentials), only its class name.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

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


def check_worker(timeout: float = 3.0) -> dict[str, object]:
    """Round-trip a ping task through the broker to a worker and back (operators only: it
    holds a web thread up to ``timeout``). The task expires with the wait, so a call nobody
    answered leaves nothing for a worker to do later."""
    from fortify_github.tasks import ping

    def run() -> dict[str, object]:
        token = uuid.uuid4().hex
        reply = ping.apply_async(args=(token,), expires=timeout).get(timeout=timeout)
        if reply.get("token") != token:
            raise RuntimeError("worker answered another ping")
        return {"worker_pid": reply["pid"]}

    return _timed(run)


_probe_lock = threading.Lock()
_probe_cache: dict[str, tuple[float, dict[str, object]]] = {}


def check_github_api() -> dict[str, object]:
    """GitHub reachable with the App's credentials, and the App's rate limit.

    Probed at most once per ``HEALTH_GITHUB_CACHE_SECONDS`` per process, however often health
    is asked. GitHub down or slow is ``degraded`` (work waits and retries); credentials GitHub
    refuses are ``unhealthy`` (nothing will work until an operator fixes them).
    """
    from fortify_github.github.probe import probe_app

    ttl = float(settings.HEALTH_GITHUB_CACHE_SECONDS)
    with _probe_lock:
        cached = _probe_cache.get("app")
        if cached and time.monotonic() - cached[0] < ttl:
            return {**cached[1], "cached": True}

        def run() -> dict[str, object]:
            result = probe_app()
            details: dict[str, object] = {"outcome": result.outcome}
            if result.status_code is not None:
                details["status_code"] = result.status_code
            if result.error:
                details["error"] = result.error
            if result.rate_limit:
                details["rate_limit_remaining"] = int(result.rate_limit["remaining"])
                details["rate_limit_limit"] = int(result.rate_limit["limit"])
                details["rate_limit_reset"] = int(result.rate_limit["reset"])
            if result.outcome == "bad_credentials":
                details["status"] = "unhealthy"
            elif result.outcome != "ok":
                details["status"] = "degraded"
            elif result.rate_limit and result.rate_limit["remaining"] < (
                    float(settings.GITHUB_RATE_LIMIT_LOW_WATER) * result.rate_limit["limit"]):
                details["status"] = "degraded"
                details["error"] = "rate limit nearly spent"
            return details

        details = _timed(run)
        _probe_cache["app"] = (time.monotonic(), details)
        return {**details, "cached": False}


def forget_github_probe() -> None:
    """Tests (and nothing else) start from a fresh probe."""
    with _probe_lock:
        _probe_cache.clear()


def check_webhook_processing() -> dict[str, object]:
    """Failed events in the last 5 minutes, and how long the oldest waiting event has waited."""
    from django.db.models import Min

    from webhooks.models import WebhookEvent

    def run() -> dict[str, object]:
        now = timezone.now()
        failed = WebhookEvent.objects.filter(
            status=WebhookEvent.Status.FAILED,
            processed_at__gte=now - timedelta(minutes=5)).count()
        oldest = WebhookEvent.objects.filter(
            status__in=[WebhookEvent.Status.PENDING, WebhookEvent.Status.PROCESSING],
        ).aggregate(oldest=Min("received_at"))["oldest"]
        age = round((now - oldest).total_seconds(), 1) if oldest else 0.0
        details: dict[str, object] = {"failed_events_last_5min": failed,
                                      "oldest_pending_age_seconds": age}
        if failed >= int(settings.HEALTH_FAILED_EVENTS_UNHEALTHY):
            details["status"] = "unhealthy"
        elif failed or age > float(settings.HEALTH_PENDING_DEGRADED_AFTER):
            details["status"] = "degraded"
        return details

    return _timed(run)


def check_installations() -> dict[str, object]:
    from installations.models import Installation

    def run() -> dict[str, object]:
        return {"active_count": Installation.objects.filter(
            status=Installation.Status.ACTIVE).count()}

    return _timed(run)


def check_workers() -> dict[str, object]:
    """Workers whose heartbeat is fresh. None: nothing processes webhooks or scans
    (unhealthy). One that stopped beating within the hour without saying goodbye: degraded."""
    from fortify_github.models import WorkerHeartbeat

    def run() -> dict[str, object]:
        now = timezone.now()
        fresh_after = now - timedelta(seconds=3 * float(settings.HEALTH_WORKER_HEARTBEAT_INTERVAL))
        rows = list(WorkerHeartbeat.objects.filter(last_seen__gte=now - timedelta(hours=1)))
        alive = [row.hostname for row in rows if row.last_seen >= fresh_after]
        lost = [row.hostname for row in rows if row.last_seen < fresh_after]
        details: dict[str, object] = {"alive": alive, "lost": lost}
        if not alive:
            details["status"] = "unhealthy"
            details["error"] = "no worker heartbeat"
        elif lost:
            details["status"] = "degraded"
        return details

    return _timed(run)


def _interval_seconds(schedule: object) -> float | None:
    if isinstance(schedule, int | float):
        return float(schedule)
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    run_every = getattr(schedule, "run_every", None)  # celery.schedules.schedule
    return run_every.total_seconds() if isinstance(run_every, timedelta) else None


def check_beat() -> dict[str, object]:
    """The last run of each periodic job (django-celery-beat keeps it in the database).

    A job that has not run within its interval plus ``HEALTH_BEAT_GRACE_SECONDS`` (counted from
    when beat first scheduled it, if it never ran) makes beat ``degraded``: the re-queue,
    redelivery, sync and prune jobs quietly stop otherwise.
    """
    from django_celery_beat.models import PeriodicTask

    def run() -> dict[str, object]:
        now = timezone.now()
        grace = float(settings.HEALTH_BEAT_GRACE_SECONDS)
        schedule = settings.CELERY_BEAT_SCHEDULE
        stored = {task.name: task for task in PeriodicTask.objects.filter(name__in=schedule)}
        jobs: dict[str, dict[str, object]] = {}
        late = []
        for name, entry in schedule.items():
            interval = _interval_seconds(entry["schedule"])
            task = stored.get(name)
            job: dict[str, object] = {"task": entry["task"], "interval_seconds": interval,
                                      "last_run_at": None, "total_run_count": 0}
            if task is None:
                job["late"] = True
                job["error"] = "never scheduled: is the beat process running?"
            else:
                job["last_run_at"] = task.last_run_at.isoformat() if task.last_run_at else None
                job["total_run_count"] = task.total_run_count
                since = task.last_run_at or task.date_changed
                job["late"] = bool(interval is not None and since is not None
                                   and (now - since).total_seconds() > interval + grace)
            if job["late"]:
                late.append(name)
            jobs[name] = job
        details: dict[str, object] = {"jobs": jobs, "late": late}
        if late:
            details["status"] = "degraded"
        return details

    return _timed(run)


def integration_components() -> dict[str, dict[str, object]]:
    """Everything ``GET /health/github-integration`` reports."""
    return {
        "github_api": check_github_api(),
        "github_circuit": check_github_circuit(),
        "webhook_processing": check_webhook_processing(),
        "installations": check_installations(),
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
        "workers": check_workers(),
        "beat": check_beat(),
    }


def readiness_components() -> dict[str, dict[str, object]]:
    """What this web process needs to serve requests: its database, cache and broker."""
    return {"database": check_database(), "cache": check_cache(), "broker": check_broker()}


def overall(components: dict[str, dict[str, object]]) -> str:
    statuses = {component["status"] for component in components.values()}
    if "unhealthy" in statuses:
        return "unhealthy"
    if "degraded" in statuses:
        return "degraded"
    return "healthy"
