"""The pipeline end to end with a real Celery worker process over Redis.

The worker imports ``tests.webhooks.worker_handlers`` (see conftest), which subscribe to
``fortify_test_*`` events; the payloads are GitHub's real examples.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.support.processes import wait_until
from tests.support.webhooks import load_fixture, post_webhook
from tests.webhooks.conftest import records, wait_for_status
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_store
from webhooks.tasks import process_webhook_event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = WebhookEvent.Status


def test_delivery_is_processed_by_the_worker(client, celery_worker):
    delivery = str(uuid.uuid4())
    response = post_webhook(client, "fortify_test_record",
                            load_fixture("pull_request", "opened"), delivery=delivery)
    assert response.status_code == 202
    event = wait_for_status(delivery, {Status.COMPLETED})
    assert event.attempts == 1
    done = [r for r in records(delivery) if r["phase"] == "done"]
    assert len(done) == 1
    assert done[0]["pid"] != __import__("os").getpid(), "ran in the worker, not here"


def test_duplicate_delivery_is_processed_once(client, celery_worker):
    delivery = str(uuid.uuid4())
    payload = load_fixture("check_suite", "requested")
    first = post_webhook(client, "fortify_test_record", payload, delivery=delivery)
    second = post_webhook(client, "fortify_test_record", payload, delivery=delivery)
    assert (first.status_code, second.status_code) == (202, 200)
    wait_for_status(delivery, {Status.COMPLETED})
    third = post_webhook(client, "fortify_test_record", payload, delivery=delivery)
    assert third.status_code == 200, "a redelivery after processing is acknowledged too"
    time.sleep(2)  # time for any second processing to show up
    assert WebhookEvent.objects.filter(delivery_id=delivery).count() == 1
    assert len([r for r in records(delivery) if r["phase"] == "done"]) == 1


def test_two_workers_handed_the_same_event_process_it_once(celery_worker):
    """Four messages for one event reach the worker's two processes at once."""
    event, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="fortify_test_record",
                                   payload=load_fixture("check_run", "rerequested"))
    for _ in range(4):
        process_webhook_event.delay(event.pk)
    wait_for_status(event.delivery_id, {Status.COMPLETED})
    time.sleep(2)
    calls = records(event.delivery_id)
    assert len([r for r in calls if r["phase"] == "done"]) == 1
    assert len([r for r in calls if r["phase"] == "start"]) == 1
    event.refresh_from_db()
    assert event.attempts == 1


def test_slow_handler_does_not_delay_the_acknowledgement(client, celery_worker):
    """Ordering, not timing: the 2xx is in hand while the handler is still working."""
    delivery = str(uuid.uuid4())
    response = post_webhook(client, "fortify_test_slow", load_fixture("pull_request", "opened"),
                            delivery=delivery)
    answered_at = time.time()
    assert response.status_code == 202
    assert WebhookEvent.objects.get(delivery_id=delivery).status in {Status.PENDING,
                                                                     Status.PROCESSING}
    wait_for_status(delivery, {Status.COMPLETED}, timeout=30)
    calls = {r["phase"]: r for r in records(delivery)}
    assert calls["end"]["at"] > answered_at, "processing ended after the response was sent"


def test_failing_handler_does_not_stop_the_other(client, celery_worker):
    delivery = str(uuid.uuid4())
    post_webhook(client, "fortify_test_failing", load_fixture("pull_request", "opened"),
                 delivery=delivery)
    event = wait_for_status(delivery, {Status.FAILED})
    assert {r["handler"] for r in records(delivery)} == {"explode", "still_runs"}
    assert event.last_error == "explode: RuntimeError"
    assert "secret-looking" not in event.last_error
    assert event.handler_results["tests.webhooks.worker_handlers.still_runs"] == {
        "status": "completed"}


def test_transient_error_is_retried_by_celery(client, celery_worker):
    delivery = str(uuid.uuid4())
    post_webhook(client, "fortify_test_flaky", load_fixture("pull_request", "synchronize"),
                 delivery=delivery)
    event = wait_for_status(delivery, {Status.COMPLETED, Status.FAILED})
    assert event.status == Status.COMPLETED
    assert event.attempts == 2
    assert [r["attempt"] for r in records(delivery)] == [1, 2]


def test_a_redis_error_inside_a_handler_retries_until_redis_is_back(client, celery_worker,
                                                                    tmp_path):
    """A real redis-server the handler uses is stopped while the handler runs: the event is
    retried (not failed) and completes once Redis is started again."""
    import redis

    from tests.webhooks.conftest import _RECORD_DIR
    from tests.webhooks.test_outbox import RedisServer

    server = RedisServer(tmp_path)
    server.start()
    delivery = str(uuid.uuid4())
    directory = Path(_RECORD_DIR)
    (directory / f"{delivery}.redis").write_text(server.url)
    try:
        response = post_webhook(client, "fortify_test_redis",
                                load_fixture("pull_request", "opened"), delivery=delivery)
        assert response.status_code == 202
        wait_until(lambda: records(delivery), timeout=30, what="the handler to start",
                   log=celery_worker.log_path)
        server.stop()
        (directory / f"{delivery}.go").touch()
        stored = WebhookEvent.objects.filter(delivery_id=delivery)
        first = wait_until(lambda: stored.filter(last_error__contains="ConnectionError").first(),
                           timeout=30, what="the handler to meet the Redis error",
                           log=celery_worker.log_path)
        assert first.status in (Status.PENDING, Status.PROCESSING), "retried, not failed"
        assert first.handler_results[
            "tests.webhooks.worker_handlers.use_redis"]["status"] == "retry"

        server.start()
        done = wait_for_status(delivery, {Status.COMPLETED, Status.FAILED}, timeout=60)
        assert done.status == Status.COMPLETED, done.last_error
        assert done.attempts >= 2 and done.last_error == ""
        assert redis.Redis.from_url(server.url).get(f"fortify-test:{delivery}") == b"1"
        assert len([r for r in records(delivery) if r["phase"] == "done"]) == 1
    finally:
        server.stop()


def test_a_database_outage_mid_processing_is_resumed_by_the_tasks_retry_not_the_lease(
        client, celery_worker):
    """The database goes away while a handler runs: the attempt cannot record its outcome,
    so the event stays claimed. The task's retry takes its own claim back as soon as the
    database answers; nothing waits for the ten-minute lease (the worker's default)."""
    from django.conf import settings

    from tests.support.database_outage import database_outage
    from tests.webhooks.conftest import _RECORD_DIR

    assert settings.WEBHOOK_PROCESSING_LEASE >= 600
    delivery = str(uuid.uuid4())
    response = post_webhook(client, "fortify_test_database_outage",
                            load_fixture("pull_request", "opened"), delivery=delivery)
    assert response.status_code == 202
    wait_until(lambda: records(delivery), timeout=30, what="the handler to start",
               log=celery_worker.log_path)
    with database_outage():
        (Path(_RECORD_DIR) / f"{delivery}.go").touch()
        wait_until(lambda: [r for r in records(delivery) if r["phase"] == "interrupted"],
                   timeout=30, what="the handler to meet the outage", log=celery_worker.log_path)
        time.sleep(2)  # the attempt's outcome and the first retries meet the outage too
        during = WebhookEvent.objects.get(delivery_id=delivery)
        assert during.status == Status.PROCESSING and during.claim_token, \
            "the interrupted attempt could not record anything: the event is still claimed"

    done = wait_for_status(delivery, {Status.COMPLETED, Status.FAILED}, timeout=60)
    assert done.status == Status.COMPLETED, done.last_error
    assert done.attempts == 2, "the retry resumed the claim: one more attempt, no takeover"
    assert [r["phase"] for r in records(delivery)] == ["start", "interrupted", "start", "done"]


def _backends_serving(client, count: int) -> tuple[list[WebhookEvent], set[int]]:
    """Deliver ``count`` events whose handler records its PostgreSQL backend; wait for all."""
    deliveries = [str(uuid.uuid4()) for _ in range(count)]
    for delivery in deliveries:
        post_webhook(client, "fortify_test_backend", load_fixture("pull_request", "opened"),
                     delivery=delivery)
    events = [wait_for_status(delivery, {Status.COMPLETED, Status.FAILED})
              for delivery in deliveries]
    assert [event.status for event in events] == [Status.COMPLETED] * count
    return events, {record["backend"] for delivery in deliveries
                    for record in records(delivery)}


def test_the_worker_keeps_its_database_connections_between_tasks(client, celery_worker):
    """Celery's Django fixup used to close the connection around every task, so each one
    paid a new PostgreSQL backend. Eight tasks on the worker's two processes now share their
    connections (at most one more per process, when one reaches CONN_MAX_AGE meanwhile)."""
    _, backends = _backends_serving(client, 8)
    assert len(backends) <= 4, f"{len(backends)} backends served 8 tasks"


def test_a_connection_the_database_dropped_between_tasks_is_replaced_before_the_next(
        client, celery_worker):
    """Kept connections are checked when a task starts (Django's CONN_HEALTH_CHECKS, as for
    a request): a backend killed while the worker was idle costs no retry, and the next
    tasks run on new connections."""
    from django.db import connection

    _, before = _backends_serving(client, 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE pid = ANY(%s)", [list(before)])

    def gone() -> bool:  # termination is asynchronous: wait until the backends have exited
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                           [list(before)])
            return cursor.fetchone()[0] == 0

    wait_until(gone, timeout=10, what="the terminated backends to exit")
    events, after = _backends_serving(client, 4)
    assert not after & before, "the dropped connections were not used again"
    assert all(event.attempts == 1 for event in events)
    log = celery_worker.log()
    assert not [event.pk for event in events
                if f"webhook event {event.pk}: database error" in log], "no task retried"
