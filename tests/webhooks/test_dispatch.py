"""Deliveries announced with pg_notify and published by a worker's dispatcher.

On PostgreSQL the receiver's INSERT carries the announcement and the receiver never touches
the broker; every Celery worker runs a dispatcher, and the one holding the advisory lock
publishes. Real PostgreSQL, real Redis, real worker processes.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction
from psycopg import sql

from tests.support.processes import wait_until
from tests.support.webhooks import load_fixture, post_webhook
from tests.support.worker import WorkerProcess, start_worker
from tests.webhooks.conftest import records, wait_for_status
from webhooks import dispatch
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_store

pytestmark = pytest.mark.django_db(transaction=True)

Status = WebhookEvent.Status


@pytest.fixture
def listener() -> Iterator[psycopg.Connection]:
    """A second connection LISTENing on the dispatch channel, as a worker's dispatcher does."""
    params = connection.get_connection_params()
    conn = psycopg.connect(**{key: value for key, value in params.items()
                              if key in {"dbname", "host", "port", "user", "password"}},
                           autocommit=True)
    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(dispatch.channel())))
    yield conn
    conn.close()


def _announced(conn: psycopg.Connection, *, timeout: float = 3.0) -> list[str]:
    return [note.payload for note in conn.notifies(timeout=timeout, stop_after=10)]


def test_a_new_delivery_is_announced_on_commit_and_not_published(client, listener,
                                                                 no_enqueue):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"))
    assert response.status_code == 202
    stored = WebhookEvent.objects.get()
    assert _announced(listener) == [str(stored.pk)]
    assert no_enqueue == [], "the receiver left the broker alone"


def test_duplicates_and_pings_are_not_announced(client, listener, no_enqueue):
    delivery = str(uuid.uuid4())
    first = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                         delivery=delivery)
    again = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                         delivery=delivery)
    ping = post_webhook(client, "ping", load_fixture("ping"))
    assert (first.status_code, again.status_code, ping.status_code) == (202, 200, 200)
    assert _announced(listener) == [str(WebhookEvent.objects.get(delivery_id=delivery).pk)]
    assert no_enqueue == []


def test_an_unknown_dispatch_mode_is_a_start_up_error(settings):
    from webhooks.checks import dispatch_mode_is_known

    settings.WEBHOOK_DISPATCH = "notfiy"
    errors = dispatch_mode_is_known(None)
    assert [error.id for error in errors] == ["webhooks.E003"]
    settings.WEBHOOK_DISPATCH = "publish"
    assert dispatch_mode_is_known(None) == []


def _own_queue_worker(queue: str) -> WorkerProcess:
    return start_worker(extra_env={"CELERY_TASK_DEFAULT_QUEUE": queue}, concurrency=1,
                        purge=False)


def _leaders(channel: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                       "AND ((classid::bigint << 32) | objid::bigint) = %s",
                       [dispatch._lock_key(channel)])
        return int(cursor.fetchone()[0])


@pytest.mark.worker
def test_the_worker_publishes_what_was_stored_before_it_started_and_what_comes_after(
        client, settings):
    queue = f"dispatch-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue  # this test's channel, this test's worker
    # Stored and announced while no dispatcher listens for this queue: the announcement is
    # lost, the row is not.
    early = post_webhook(client, "fortify_test_record", load_fixture("pull_request", "opened"))
    assert early.status_code == 202
    missed = WebhookEvent.objects.get()
    assert missed.status == Status.PENDING

    worker = _own_queue_worker(queue)
    try:
        wait_for_status(missed.delivery_id, {Status.COMPLETED})
        delivery = str(uuid.uuid4())
        response = post_webhook(client, "fortify_test_record",
                                load_fixture("check_suite", "requested"), delivery=delivery)
        assert response.status_code == 202
        event = wait_for_status(delivery, {Status.COMPLETED})
        assert event.attempts == 1
        assert len([r for r in records(delivery) if r["phase"] == "done"]) == 1
    finally:
        worker.stop()


@pytest.mark.worker
def test_one_dispatcher_leads_and_another_takes_over_when_it_stops(client, settings):
    queue = f"dispatch-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    channel = dispatch.channel()
    first = _own_queue_worker(queue)
    second = None
    try:
        wait_until(lambda: _leaders(channel) == 1, timeout=15, what="a leading dispatcher")
        second = _own_queue_worker(queue)
        delivery = str(uuid.uuid4())
        post_webhook(client, "fortify_test_record", load_fixture("pull_request", "opened"),
                     delivery=delivery)
        wait_for_status(delivery, {Status.COMPLETED})
        assert _leaders(channel) == 1, "one dispatcher publishes; the other waits"

        first.stop()
        # The follower retries every FOLLOWER_RETRY_SECONDS; rows announced before it took
        # over are published by its catch-up when it does.
        stored, _ = webhook_event_store(delivery_id=str(uuid.uuid4()),
                                        event="fortify_test_record",
                                        payload=load_fixture("check_run", "rerequested"),
                                        notify=True)
        wait_for_status(stored.delivery_id, {Status.COMPLETED},
                        timeout=dispatch.FOLLOWER_RETRY_SECONDS + 20)
        assert _leaders(channel) == 1
        stored.refresh_from_db()
        assert stored.attempts == 1
    finally:
        first.stop()
        if second is not None:
            second.stop()


@pytest.fixture
def leading_worker(settings) -> Iterator[WorkerProcess]:
    """A worker of this test's own queue, its dispatcher leading."""
    queue = f"dispatch-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    worker = _own_queue_worker(queue)
    try:
        wait_until(lambda: _leaders(dispatch.channel()) == 1, timeout=15,
                   what="a leading dispatcher")
        yield worker
    finally:
        worker.stop()


def _store_together(events: list[str]) -> list[WebhookEvent]:
    """Rows stored in one transaction: their announcements arrive at once, on commit."""
    with transaction.atomic():
        return [webhook_event_store(delivery_id=str(uuid.uuid4()), event=event,
                                    payload=load_fixture("check_run", "rerequested"),
                                    notify=True)[0]
                for event in events]


@pytest.mark.worker
def test_deliveries_announced_together_go_out_in_one_message_each_processed_once(leading_worker):
    """Under a burst a task message per delivery cost more CPU than an ignored delivery's
    processing; the dispatcher sends what arrived together as one message (at most
    ``BATCH_LIMIT`` events), and each event is still claimed and processed on its own."""
    stored = _store_together(["fortify_test_task"] * (dispatch.BATCH_LIMIT + 5))

    for event in stored:
        done = wait_for_status(event.delivery_id, {Status.COMPLETED})
        assert done.attempts == 1
    calls = [call for event in stored for call in records(event.delivery_id)]
    assert len(calls) == len(stored), "each event processed once"
    assert {call["task_name"] for call in calls} == {"webhooks.process_webhook_events"}
    per_message = Counter(call["task_id"] for call in calls)
    assert max(per_message.values()) <= dispatch.BATCH_LIMIT
    assert len(per_message) <= len(stored) // 5, f"not far fewer messages: {per_message}"


@pytest.mark.worker
def test_an_event_of_a_batch_that_must_run_again_is_retried_on_its_own(leading_worker):
    """A transient error sends that event back to the queue with its own countdown; the
    other events of the message are processed meanwhile, once."""
    first, flaky, last = _store_together(
        ["fortify_test_task", "fortify_test_flaky", "fortify_test_task"])

    for event in (first, last):
        assert wait_for_status(event.delivery_id, {Status.COMPLETED}).attempts == 1
        assert len(records(event.delivery_id)) == 1
    retried = wait_for_status(flaky.delivery_id, {Status.COMPLETED})
    assert retried.attempts == 2
    assert [call["attempt"] for call in records(flaky.delivery_id)] == [1, 2]


@pytest.mark.worker
def test_a_database_outage_in_a_batch_resumes_that_event_and_the_rest_run_once(leading_worker):
    """The database goes away while the first event of a message runs: that event's retry
    takes its own claim back once the database answers, and the event after it in the same
    message is processed once, whether before or after the outage ends."""
    from tests.support.database_outage import database_outage
    from tests.webhooks.conftest import _RECORD_DIR

    outage, after = _store_together(["fortify_test_database_outage", "fortify_test_task"])
    wait_until(lambda: records(outage.delivery_id), timeout=30,
               what="the first handler to start", log=leading_worker.log_path)
    with database_outage():
        (Path(_RECORD_DIR) / f"{outage.delivery_id}.go").touch()
        wait_until(lambda: [r for r in records(outage.delivery_id)
                            if r["phase"] == "interrupted"],
                   timeout=30, what="the handler to meet the outage", log=leading_worker.log_path)
        time.sleep(2)  # the rest of the message meets the outage too

    done = wait_for_status(outage.delivery_id, {Status.COMPLETED, Status.FAILED},
                           timeout=60)
    assert done.status == Status.COMPLETED, done.last_error
    assert done.attempts == 2, "the retry resumed the claim: one more attempt, no takeover"
    assert [r["phase"] for r in records(outage.delivery_id)] == \
        ["start", "interrupted", "start", "done"]
    later = wait_for_status(after.delivery_id, {Status.COMPLETED, Status.FAILED},
                            timeout=60)
    assert later.status == Status.COMPLETED, later.last_error
    assert len(records(after.delivery_id)) == 1
