"""Test-only handlers loaded by worker processes (``WEBHOOK_EXTRA_HANDLER_MODULES``).

They subscribe to ``fortify_test_*`` events only, so they never touch a real event, and
record what they did to ``$WEBHOOK_TEST_RECORD_DIR/<delivery>.jsonl`` (one line per call,
appended atomically) so the test process can see how often, where and when they ran.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from webhooks.errors import TransientError
from webhooks.routing import router

SLOW_SECONDS = float(os.environ.get("WEBHOOK_TEST_SLOW_SECONDS", "3"))


def record_dir() -> Path:
    return Path(os.environ.get("WEBHOOK_TEST_RECORD_DIR", "/tmp"))


def wait_for_go(event, timeout: float = 60) -> None:
    """Wait until the test says go (``<delivery>.go``): it acts while the handler runs."""
    deadline = time.monotonic() + timeout
    while not (record_dir() / f"{event.delivery_id}.go").exists() \
            and time.monotonic() < deadline:
        time.sleep(0.05)


def record(event, handler: str, phase: str = "done", **extra: object) -> None:
    directory = record_dir()
    line = json.dumps({"delivery": event.delivery_id, "handler": handler, "phase": phase,
                       "attempt": event.attempts, "pid": os.getpid(), "at": time.time(),
                       **extra})
    with open(directory / f"{event.delivery_id}.jsonl", "a") as file:
        file.write(line + "\n")


@router.on("fortify_test_record")
def record_call(event) -> None:
    """Counts calls; sleeps a little so racing tasks overlap."""
    record(event, "record", "start")
    time.sleep(0.5)
    record(event, "record")


@router.on("fortify_test_backend")
def record_backend(event) -> None:
    """Records which PostgreSQL backend (server process) the task's connection is to."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    record(event, "backend", backend=backend)


@router.on("fortify_test_task")
def record_task(event) -> None:
    """Records which Celery task (message) processed the event."""
    from celery import current_task

    record(event, "task", task_id=current_task.request.id, task_name=current_task.name)


@router.on("fortify_test_slow")
def slow(event) -> None:
    record(event, "slow", "start")
    time.sleep(SLOW_SECONDS)
    record(event, "slow", "end")


@router.on("fortify_test_failing")
def explode(event) -> None:
    record(event, "explode")
    raise RuntimeError("boom with a secret-looking message that must not be stored")


@router.on("fortify_test_failing")
def still_runs(event) -> None:
    record(event, "still_runs")


@router.on("fortify_test_flaky")
def flaky(event) -> None:
    """Transient on the first attempt, fine on the second: a real Celery retry."""
    record(event, "flaky")
    if event.attempts < 2:
        raise TransientError("dependency briefly unavailable", retry_after=0.5)



@router.on("fortify_test_redis")
def use_redis(event) -> None:
    """Counts the event in a Redis of the test's own (``<delivery>.redis`` holds its URL), as
    a handler keeping a lock or budget there would. On its first attempt it first waits for
    the test's go (``<delivery>.go``), so the test can stop Redis while the handler runs."""
    import redis

    record(event, "redis", "start")
    if event.attempts == 1:
        wait_for_go(event)
    url = (record_dir() / f"{event.delivery_id}.redis").read_text()
    redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).incr(
        f"fortify-test:{event.delivery_id}")
    record(event, "redis")


@router.on("fortify_test_database_outage")
def meet_a_database_outage(event) -> None:
    """On its first attempt, waits for the test's go (``<delivery>.go``: the test has taken
    the database away meanwhile), then queries, so the attempt fails while it holds the
    event's claim; it records that it met the outage, then lets the error through."""
    from django.db import DatabaseError

    from webhooks.models import WebhookEvent

    record(event, "outage", "start")
    if event.attempts == 1:
        wait_for_go(event)
        try:
            WebhookEvent.objects.filter(pk=event.pk).exists()
        except DatabaseError:
            record(event, "outage", "interrupted")
            raise
    record(event, "outage")
