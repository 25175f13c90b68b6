"""Routing, the lifecycle, retries and exactly-once claiming, in process against PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from fortify_github.github.errors import SecondaryRateLimited, ServerError
from tests.support.webhooks import load_fixture
from webhooks.errors import MalformedPayload, PermanentError, TransientError
from webhooks.models import WebhookEvent
from webhooks.payloads import require
from webhooks.routing import NO_HANDLER_REASON, Router, RoutingError, router
from webhooks.services import (
    webhook_event_claim,
    webhook_event_process,
    webhook_event_store,
    webhook_events_requeue_stale,
)

Status = WebhookEvent.Status


def stored(event: str = "pull_request", action: str | None = "opened", *,
           payload: dict | None = None) -> WebhookEvent:
    payload = payload if payload is not None else load_fixture(event, action)
    row, created = webhook_event_store(delivery_id=str(uuid.uuid4()), event=event,
                                       payload=payload)
    assert created
    return row


class Calls:
    """Handlers that record their calls, to assert on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def make(self, name: str, error: BaseException | None = None, *, times: int = 10**6):
        def handler(event: WebhookEvent) -> None:
            self.calls.append((name, event.delivery_id))
            if error is not None and len([c for c in self.calls if c[0] == name]) <= times:
                raise error

        handler.__qualname__ = f"handler_{name}"
        return handler

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call[0] == name)


# --- routing ---------------------------------------------------------------------------------

def test_router_decorator_registers_by_event_and_action():
    local = Router(ignored={})

    @local.on("installation", "created", "deleted")
    def lifecycle(event):
        pass

    @local.on("installation")
    def every_action(event):
        pass

    assert local.handlers_for("installation", "created") == [every_action, lifecycle]
    assert local.handlers_for("installation", "suspend") == [every_action]
    assert local.handlers_for("pull_request", "opened") == []
    local.unregister(lifecycle)
    assert local.handlers_for("installation", "deleted") == [every_action]


def test_registering_the_same_handler_twice_runs_it_once():
    local = Router(ignored={})

    def handler(event):
        pass

    local.register(handler, "pull_request", "opened")
    local.register(handler, "pull_request", "opened")
    assert local.handlers_for("pull_request", "opened") == [handler]


def test_every_ignored_entry_says_why_and_can_take_effect():
    assert router.ignored and all(reason.strip() for reason in router.ignored.values())
    assert router.ignored_reason("check_run", "completed")
    assert router.ignored_reason("pull_request", "labeled")
    assert router.ignored_reason("ping", None)
    assert router.ignored_reason("pull_request", "opened") is None
    assert router.shadowed_ignores() == []


def test_an_ignore_entry_a_handler_shadows_is_refused_in_either_order():
    def handler(event):
        raise AssertionError("never runs")

    local = Router()
    local.ignore("check_suite", "completed", reason="check suite completed")
    with pytest.raises(RoutingError, match=r"check_suite\.completed"):
        local.register(handler, "check_suite", "completed")
    with pytest.raises(RoutingError, match="check_suite"):
        local.register(handler, "check_suite")  # every action shadows the entry too
    local = Router()
    local.register(handler, "pull_request")
    with pytest.raises(RoutingError, match="could never take effect"):
        local.ignore("pull_request", "labeled", reason="does not change the code")
    with pytest.raises(RoutingError, match="needs a reason"):
        local.ignore("issues", reason=" ")
    assert local.ignored == {}


@pytest.mark.django_db
def test_shared_router_runs_subscribed_handler(subscribe):
    seen = []
    subscribe(lambda event: seen.append(event.delivery_id), "fortify_probe", "checked")
    row = stored("fortify_probe", payload={**load_fixture("check_suite", "requested"),
                                           "action": "checked"})
    assert webhook_event_process(row.pk).status == Status.COMPLETED
    assert seen == [row.delivery_id]


@pytest.mark.django_db
def test_handler_receives_the_event_and_completes():
    calls = Calls()
    local = Router(ignored={})
    local.register(calls.make("a"), "pull_request", "opened")
    row = stored()
    outcome = webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert outcome.status == Status.COMPLETED
    assert row.status == Status.COMPLETED
    assert row.attempts == 1
    assert row.processed_at is not None and row.duration_ms is not None
    assert row.last_error == ""
    assert calls.calls == [("a", row.delivery_id)]


@pytest.mark.django_db
def test_listed_event_is_ignored_with_its_reason():
    row = stored("check_suite", "completed")
    local = Router(ignored=dict(router.ignored))
    assert webhook_event_process(row.pk, using_router=local).status == Status.IGNORED
    row.refresh_from_db()
    assert row.status == Status.IGNORED
    assert row.status_reason == router.ignored[("check_suite", "completed")]


@pytest.mark.django_db
def test_unhandled_unlisted_event_is_ignored_as_no_handler():
    row = stored("repository", "archived")
    webhook_event_process(row.pk, using_router=Router(ignored={}))
    row.refresh_from_db()
    assert row.status == Status.IGNORED
    assert row.status_reason == NO_HANDLER_REASON


# --- failures --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_one_failing_handler_does_not_stop_the_others():
    calls = Calls()
    local = Router(ignored={})
    local.register(calls.make("first"), "pull_request", "opened")
    local.register(calls.make("boom", RuntimeError("kaput")), "pull_request", "opened")
    local.register(calls.make("last"), "pull_request", "opened")
    row = stored()
    assert webhook_event_process(row.pk, using_router=local).status == Status.FAILED
    row.refresh_from_db()
    assert [name for name, _ in calls.calls] == ["first", "boom", "last"]
    assert row.status == Status.FAILED
    assert row.handler_results[f"{__name__}.handler_first"] == {"status": "completed"}
    assert row.handler_results[f"{__name__}.handler_boom"]["status"] == "failed"
    assert row.handler_results[f"{__name__}.handler_last"] == {"status": "completed"}


@pytest.mark.django_db
def test_unexpected_error_stores_only_its_class(caplog):
    """An unexpected exception's message may quote the payload or a secret: never stored."""
    payload = load_fixture("pull_request", "opened")
    secret_title = payload["pull_request"]["title"]
    local = Router(ignored={})

    def leaky(event):
        raise ValueError(f"cannot handle {event.payload['pull_request']['title']} "
                         "token=ghs_supersecret")

    local.register(leaky, "pull_request", "opened")
    row = stored(payload=payload)
    with caplog.at_level("INFO", logger="webhooks"):
        webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert row.last_error == "leaky: ValueError"
    assert secret_title not in row.last_error
    assert "ghs_supersecret" not in caplog.text
    assert secret_title not in caplog.text
    assert "leaky" in caplog.text, "the failing handler is named in the log"


@pytest.mark.django_db
def test_permanent_error_fails_at_once_with_a_clear_message():
    payload = load_fixture("pull_request", "opened")
    del payload["pull_request"]["head"]["sha"]
    local = Router(ignored={})

    def scan(event):
        require(event.payload, "pull_request.head.sha")

    local.register(scan, "pull_request", "opened")
    row = stored(payload=payload)
    outcome = webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert outcome.status == Status.FAILED and outcome.retry_in is None
    assert row.attempts == 1
    assert row.last_error == "scan: MalformedPayload: payload has no pull_request.head.sha"


def test_require_names_the_missing_path():
    payload = {"pull_request": {"head": {"sha": "abc", "ref": None}}}
    assert require(payload, "pull_request.head.sha") == "abc"
    with pytest.raises(MalformedPayload, match=r"payload has no pull_request\.head\.ref"):
        require(payload, "pull_request.head.ref")
    with pytest.raises(MalformedPayload, match=r"payload has no installation\.id"):
        require(payload, "installation.id")
    assert issubclass(MalformedPayload, PermanentError)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [
    TransientError("queue full"),
    ServerError("GitHub had a moment", status=502),
    OperationalError("could not obtain lock"),
], ids=["TransientError", "TransientGitHubError", "OperationalError"])
def test_transient_error_retries_and_skips_handlers_that_succeeded(settings, error):
    settings.WEBHOOK_RETRY_BACKOFF_BASE = 4
    settings.WEBHOOK_RETRY_BACKOFF_MAX = 600
    calls = Calls()
    local = Router(ignored={})
    local.register(calls.make("ok"), "check_run", "rerequested")
    local.register(calls.make("flaky", error, times=1), "check_run", "rerequested")
    row = stored("check_run", "rerequested")

    first = webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert first.status == "retrying"
    assert 2 <= first.retry_in <= 4  # base, with equal jitter
    assert row.status == Status.PENDING
    assert row.next_attempt_at > timezone.now()
    assert row.attempts == 1
    assert type(error).__name__ in row.last_error

    second = webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert second.status == Status.COMPLETED
    assert row.attempts == 2 and row.last_error == ""
    assert calls.count("ok") == 1, "a handler that succeeded is not run again on retry"
    assert calls.count("flaky") == 2


@pytest.mark.django_db
def test_retry_after_from_github_is_honoured():
    local = Router(ignored={})
    local.register(Calls().make("limited", SecondaryRateLimited("slow down", retry_after=42)),
                   "pull_request", "opened")
    outcome = webhook_event_process(stored().pk, using_router=local)
    assert outcome.retry_in == 42


@pytest.mark.django_db
def test_backoff_grows_exponentially(settings):
    settings.WEBHOOK_RETRY_BACKOFF_BASE = 10
    settings.WEBHOOK_RETRY_BACKOFF_MAX = 35
    from webhooks.services import backoff

    # Equal jitter: between half and all of base * 2^(attempt-1), never above the cap.
    assert 5 <= backoff(1) <= 10
    assert 10 <= backoff(2) <= 20
    assert 17.5 <= backoff(3) <= 35 and 17.5 <= backoff(9) <= 35
    assert backoff(1, hinted=3) == 3


@pytest.mark.django_db
def test_transient_errors_give_up_after_the_bound(settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    local = Router(ignored={})
    local.register(Calls().make("down", TransientError("still down")), "pull_request", "opened")
    row = stored()
    outcomes = [webhook_event_process(row.pk, using_router=local).status for _ in range(3)]
    row.refresh_from_db()
    assert outcomes == ["retrying", "retrying", Status.FAILED]
    assert row.status == Status.FAILED
    assert row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts")
    assert "TransientError: still down" in row.last_error


@pytest.mark.django_db
def test_last_error_is_short():
    local = Router(ignored={})
    local.register(Calls().make("long", PermanentError("x" * 5000)), "pull_request", "opened")
    row = stored()
    webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert len(row.last_error) < 260


# --- exactly once ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_claim_is_exclusive_and_finished_events_are_not_claimed():
    row = stored()
    claimed = webhook_event_claim(row.pk)
    assert claimed is not None and claimed.status == Status.PROCESSING
    assert webhook_event_claim(row.pk) is None
    assert webhook_event_process(row.pk).skipped
    WebhookEvent.objects.filter(pk=row.pk).update(status=Status.COMPLETED)
    assert webhook_event_claim(row.pk) is None


@pytest.mark.django_db
def test_a_dead_workers_claim_is_taken_over_after_the_lease(settings):
    settings.WEBHOOK_PROCESSING_LEASE = 600
    row = stored()
    first = webhook_event_claim(row.pk)
    WebhookEvent.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=601))
    second = webhook_event_claim(row.pk)
    assert second is not None and second.claim_token != first.claim_token
    assert second.attempts == 2


@pytest.mark.django_db
def test_only_the_interrupted_claims_own_token_resumes_it_before_the_lease(settings):
    settings.WEBHOOK_PROCESSING_LEASE = 600
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    row = stored()
    interrupted = webhook_event_claim(row.pk)  # its worker then lost the database
    assert webhook_event_claim(row.pk) is None, "the lease holds against everyone else"
    assert webhook_event_claim(row.pk, resume=uuid.uuid4()) is None, "a stranger's token"
    resumed = webhook_event_claim(row.pk, resume=interrupted.claim_token)
    assert resumed is not None and resumed.attempts == 2
    assert resumed.claim_token == interrupted.claim_token, \
        "a resumed claim keeps its token: a retry interrupted again still names it"
    assert webhook_event_claim(row.pk, resume=interrupted.claim_token) is not None
    assert webhook_event_claim(row.pk, resume=interrupted.claim_token) is None, \
        "resuming counts as an attempt: the bound still ends an event that keeps failing"


@pytest.mark.django_db
def test_a_worker_that_lost_its_claim_does_not_overwrite_the_outcome():
    local = Router(ignored={})
    row = stored()

    def slow_then_overtaken(event):
        # Meanwhile the lease expired and another worker claimed and finished the event.
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=Status.COMPLETED, claim_token=uuid.uuid4())

    local.register(slow_then_overtaken, "pull_request", "opened")
    webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert row.status == Status.COMPLETED


def _race(workers: int, target) -> list:
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_claims_have_exactly_one_winner():
    row = stored()
    results = _race(8, lambda: webhook_event_claim(row.pk))
    assert sum(1 for r in results if r is not None) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_one_event_process_it_once():
    import time

    ran = []
    local = Router(ignored={})

    def handler(event):
        ran.append(threading.get_ident())
        time.sleep(0.3)

    local.register(handler, "pull_request", "opened")
    row = stored()
    outcomes = _race(2, lambda: webhook_event_process(row.pk, using_router=local).status)
    assert sorted(outcomes) == [Status.COMPLETED, "skipped"]
    assert len(ran) == 1


# --- the outbox: stale events are re-enqueued ------------------------------------------------

@pytest.mark.django_db
def test_requeue_finds_overdue_pending_and_dead_claims(settings, no_enqueue):
    settings.WEBHOOK_PENDING_REQUEUE_AFTER = 60
    settings.WEBHOOK_PROCESSING_LEASE = 600
    now = timezone.now()
    fresh = stored()
    overdue = stored()
    WebhookEvent.objects.filter(pk=overdue.pk).update(next_attempt_at=now - timedelta(
        seconds=61))
    retry_not_due = stored()
    WebhookEvent.objects.filter(pk=retry_not_due.pk).update(
        next_attempt_at=now + timedelta(seconds=30))
    dead = stored()
    WebhookEvent.objects.filter(pk=dead.pk).update(status=Status.PROCESSING,
                                                   started_at=now - timedelta(seconds=700))
    working = stored()
    WebhookEvent.objects.filter(pk=working.pk).update(status=Status.PROCESSING,
                                                      started_at=now - timedelta(seconds=5))
    done = stored()
    WebhookEvent.objects.filter(pk=done.pk).update(status=Status.FAILED,
                                                   next_attempt_at=now - timedelta(days=1))

    assert sorted(webhook_events_requeue_stale()) == sorted([overdue.pk, dead.pk])
    assert fresh.pk not in no_enqueue
    # Sent once per threshold, not on every run.
    assert webhook_events_requeue_stale() == [dead.pk]


@pytest.mark.django_db
def test_enqueue_never_raises_when_the_broker_is_down(monkeypatch, caplog):
    from kombu.exceptions import OperationalError as BrokerDown

    from webhooks import services, tasks

    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_webhook_event, "apply_async", refuse)
    assert services.webhook_event_enqueue(stored().pk) is False
    assert "the requeue job will retry" in caplog.text


# --- several events in one message -----------------------------------------------------------

@pytest.mark.django_db
def test_a_message_of_several_events_processes_each_once(no_enqueue):
    from webhooks.tasks import process_webhook_events

    first, second = stored("fortify_unrouted", None, payload={}), stored("ping", None,
                                                                          payload={})
    assert process_webhook_events([first.pk, second.pk, first.pk]) == \
        [Status.IGNORED, Status.IGNORED, "skipped"]
    assert no_enqueue == []
    for event in (first, second):
        event.refresh_from_db()
        assert (event.status, event.attempts) == (Status.IGNORED, 1)


@pytest.mark.django_db
def test_a_message_that_runs_out_of_time_sends_the_events_not_started_back(monkeypatch,
                                                                           no_enqueue):
    """Events waiting on GitHub must not add up to the task's time limit: after the first
    event, none starts once ``BATCH_SECONDS`` have passed; they go back to the queue."""
    from webhooks import tasks

    monkeypatch.setattr(tasks, "BATCH_SECONDS", 0.0)
    first, second = stored("fortify_unrouted", None, payload={}), stored("fortify_unrouted",
                                                                          None, payload={})
    assert tasks.process_webhook_events([first.pk, second.pk]) == [Status.IGNORED, "requeued"]
    assert no_enqueue == [second.pk]
    second.refresh_from_db()
    assert (second.status, second.attempts) == (Status.PENDING, 0)
