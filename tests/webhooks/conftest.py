"""Fixtures for the webhook pipeline's tests.

Worker processes must be able to run test-only handlers (slow, failing, recording). Every
worker a test session starts inherits ``os.environ``, so the variables below are set when
this conftest is imported (at collection, before any worker starts): the workers then import
``tests.webhooks.worker_handlers``, which subscribes only to ``fortify_test_*`` events, and
retry fast.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_RECORD_DIR = os.environ.setdefault(
    "WEBHOOK_TEST_RECORD_DIR", tempfile.mkdtemp(prefix="webhook-test-records-"))
_modules = [m for m in os.environ.get("WEBHOOK_EXTRA_HANDLER_MODULES", "").split(",") if m]
if "tests.webhooks.worker_handlers" not in _modules:
    os.environ["WEBHOOK_EXTRA_HANDLER_MODULES"] = ",".join(
        [*_modules, "tests.webhooks.worker_handlers"])
os.environ.setdefault("WEBHOOK_RETRY_BACKOFF_BASE", "0.3")
os.environ.setdefault("WEBHOOK_RETRY_BACKOFF_MAX", "2")


@pytest.fixture
def subscribe() -> Iterator[Callable]:
    """Register handlers on the real router for one test, and unregister them after.

        subscribe(handler, "pull_request", "opened")
    """
    from webhooks.routing import router

    registered = []

    def _subscribe(handler: Callable, event: str, *actions: str) -> Callable:
        router.register(handler, event, *actions)
        registered.append(handler)
        return handler

    yield _subscribe
    for handler in registered:
        router.unregister(handler)


@pytest.fixture
def no_enqueue(monkeypatch) -> list[int]:
    """Keep events out of the broker (a session worker would race the test for them); the
    primary keys that would have been enqueued are collected instead."""
    from webhooks import services

    sent: list[int] = []

    def fake_enqueue(event_pk: int, *, countdown: float | None = None) -> bool:
        sent.append(event_pk)
        return True

    monkeypatch.setattr(services, "webhook_event_enqueue", fake_enqueue)
    return sent


def records(delivery_id: str) -> list[dict]:
    """What the worker-side test handlers recorded for a delivery."""
    path = Path(_RECORD_DIR) / f"{delivery_id}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for_status(delivery_id: str, statuses: set[str], *, timeout: float = 30.0):
    """Poll the stored event until it reaches one of ``statuses``; returns it."""
    from webhooks.models import WebhookEvent

    deadline = time.monotonic() + timeout
    event = None
    while time.monotonic() < deadline:
        event = WebhookEvent.objects.filter(delivery_id=delivery_id).first()
        if event is not None and event.status in statuses:
            return event
        time.sleep(0.1)
    raise AssertionError(f"{delivery_id} never reached {statuses}: "
                         f"{event.status if event else 'not stored'}"
                         f" {event.last_error if event else ''}")
