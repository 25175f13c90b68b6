"""Operator tools: replay, redeliver (against the GitHub sandbox), prune, receive_webhook."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.support.processes import free_port
from tests.support.webhooks import fixture_path, load_fixture
from webhooks import services
from webhooks.errors import PermanentError
from webhooks.models import WebhookEvent
from webhooks.routing import Router, router
from webhooks.services import webhook_event_process, webhook_event_store

Status = WebhookEvent.Status


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def local_router(monkeypatch) -> Router:
    """The pipeline routes through a router holding only this test's handlers, so handlers
    other apps register for real events stay out of these tests."""
    local = Router(ignored=dict(router.ignored))
    monkeypatch.setattr(services, "router", local)
    return local


@pytest.fixture
def wired_sandbox(github_settings, live_server, no_enqueue):
    """The GitHub sandbox delivering to this test's live receiver."""
    sandbox = github_settings
    sandbox.app.webhook_url = live_server.url + "/api/webhooks/github"
    return sandbox


def _send(sandbox, event: str, action: str | None):
    delivery = sandbox.state.send_webhook(event, load_fixture(event, action), wait=True)
    return delivery


# --- replay_webhooks -------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_replay_reprocesses_a_failed_event_delivered_by_the_sandbox(wired_sandbox,
                                                                    local_router, settings):
    settings.WEBHOOK_DISPATCH = "publish"  # this test processes what is stored, no worker
    calls = []

    def scan(event):
        calls.append(event.delivery_id)
        if len(calls) == 1:
            raise PermanentError("scanner rejected the first attempt")

    local_router.register(scan, "pull_request", "opened")
    delivery = _send(wired_sandbox, "pull_request", "opened")
    assert delivery.status_code == 202
    event = WebhookEvent.objects.get(delivery_id=delivery.guid)
    assert webhook_event_process(event.pk).status == Status.FAILED

    output = run("replay_webhooks", "--status", "failed", "--dry-run")
    assert f"{delivery.guid}" in output and "would replay" in output
    event.refresh_from_db()
    assert event.status == Status.FAILED and len(calls) == 1

    output = run("replay_webhooks", "--status", "failed")
    assert f"{delivery.guid}  pull_request.opened" in output
    assert "failed -> completed" in output
    assert "replayed 1 event(s): 1 completed" in output
    event.refresh_from_db()
    assert event.status == Status.COMPLETED
    assert event.replay_count == 1 and event.attempts == 1 and event.last_error == ""
    assert calls == [delivery.guid, delivery.guid]

    output = run("replay_webhooks", "--event", "pull_request.opened", "--since", "1h")
    assert "completed -> completed" in output
    assert len(calls) == 3


@pytest.mark.django_db
def test_replay_filters_and_enqueue(no_enqueue, local_router):
    old, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="check_run",
                                 payload=load_fixture("check_run", "rerequested"))
    new, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="pull_request",
                                 payload=load_fixture("pull_request", "closed"))
    WebhookEvent.objects.filter(pk=old.pk).update(
        status=Status.FAILED, received_at=timezone.now() - timedelta(hours=8))
    WebhookEvent.objects.filter(pk=new.pk).update(status=Status.FAILED)

    output = run("replay_webhooks", "--status", "failed", "--since", "6h", "--enqueue")
    assert new.delivery_id in output and old.delivery_id not in output
    assert "failed -> queued" in output
    assert no_enqueue == [new.pk]
    assert WebhookEvent.objects.get(pk=new.pk).status == Status.PENDING

    output = run("replay_webhooks", "--delivery", old.delivery_id)
    assert "failed -> ignored" in output, "no handler for check_run.rerequested here"
    output = run("replay_webhooks", "--event", "check_run", "--dry-run")
    assert old.delivery_id in output and new.delivery_id not in output


@pytest.mark.django_db
def test_replay_refuses_vague_or_wrong_requests():
    with pytest.raises(CommandError, match="narrow it"):
        run("replay_webhooks")
    with pytest.raises(CommandError, match="not a duration"):
        run("replay_webhooks", "--since", "yesterday")
    with pytest.raises(CommandError, match="No stored event"):
        run("replay_webhooks", "--delivery", str(uuid.uuid4()))


@pytest.mark.django_db
def test_replay_skips_an_event_being_processed(no_enqueue):
    event, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="pull_request",
                                   payload=load_fixture("pull_request", "opened"))
    WebhookEvent.objects.filter(pk=event.pk).update(status=Status.PROCESSING,
                                                    started_at=timezone.now())
    output = run("replay_webhooks", "--delivery", event.delivery_id)
    assert "skipped: being processed" in output


# --- redeliver_webhooks ----------------------------------------------------------------------

def _dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}/api/webhooks/github"


@pytest.mark.django_db(transaction=True)
def test_redeliver_recovers_failed_deliveries_we_never_stored(wired_sandbox, settings):
    settings.WEBHOOK_DISPATCH = "publish"  # stored events stay as stored: no worker's dispatcher
    sandbox = wired_sandbox
    good_url = sandbox.app.webhook_url
    ok = [_send(sandbox, "installation", "created"), _send(sandbox, "pull_request", "opened")]
    assert all(d.status_code == 202 for d in ok)

    sandbox.app.webhook_url = _dead_url()  # our service is down
    lost = [_send(sandbox, "pull_request", "synchronize"),
            _send(sandbox, "check_suite", "requested"),
            _send(sandbox, "installation_repositories", "added")]
    stored_anyway = _send(sandbox, "check_run", "rerequested")
    assert all(d.status_code == 0 for d in [*lost, stored_anyway])
    # A delivery GitHub saw fail but that we did store (e.g. we answered too late).
    webhook_event_store(delivery_id=stored_anyway.guid, event="check_run",
                        payload=load_fixture("check_run", "rerequested"))
    sandbox.app.webhook_url = good_url
    attempts_before = len(sandbox.state.deliveries)

    output = run("redeliver_webhooks", "--since", "1h", "--dry-run")
    assert all(f"would redeliver  {d.guid}" in output for d in lost)
    assert stored_anyway.guid not in output
    assert len(sandbox.state.deliveries) == attempts_before

    output = run("redeliver_webhooks", "--since", "1h")
    assert sandbox.state.wait_for_deliveries(timeout=30)
    assert "redelivered 3; already stored 1" in output
    redeliveries = [d for d in sandbox.state.deliveries if d.redelivery]
    assert sorted(d.guid for d in redeliveries) == sorted(d.guid for d in lost)
    assert all(d.status_code == 202 for d in redeliveries)
    for original in lost:
        event = WebhookEvent.objects.get(delivery_id=original.guid)
        assert (event.event, event.status) == (original.event, Status.PENDING)
    # The redelivery API was called with the App's JWT, once per lost delivery.
    posts = sandbox.state.requests_to("POST", "/app/hook/deliveries/*/attempts")
    assert len(posts) == 3

    output = run("redeliver_webhooks", "--since", "1h")
    assert "redelivered 0" in output, "nothing left to recover"


@pytest.mark.django_db(transaction=True)
def test_periodic_redelivery_and_its_bound(wired_sandbox, settings):
    from webhooks.tasks import redeliver_failed_deliveries

    sandbox = wired_sandbox
    settings.WEBHOOK_REDELIVER_MAX_ATTEMPTS = 2
    settings.WEBHOOK_MAX_BODY_BYTES = 100  # we keep refusing this one (413)
    refused = _send(sandbox, "pull_request", "opened")
    assert refused.status_code == 413
    for _ in range(2):
        assert redeliver_failed_deliveries() == 1
        assert sandbox.state.wait_for_deliveries(timeout=30)
    assert redeliver_failed_deliveries() == 0, "given up after 2 redeliveries"
    output = run("redeliver_webhooks", "--since", "1h")
    assert f"gave up  {refused.guid}" in output

    settings.WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024
    output = run("redeliver_webhooks", "--since", "1h", "--max-redeliveries", "3")
    assert sandbox.state.wait_for_deliveries(timeout=30)
    assert f"redelivered  {refused.guid}" in output
    assert WebhookEvent.objects.filter(delivery_id=refused.guid).exists()


@pytest.mark.django_db
def test_redeliver_reports_github_being_unreachable(settings):
    from tests.support.keys import rsa_private_key_pem

    settings.GITHUB_APP_ID = "12345"
    settings.GITHUB_APP_PRIVATE_KEY = rsa_private_key_pem()
    settings.GITHUB_API_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CommandError, match="Could not list deliveries"):
        run("redeliver_webhooks", "--since", "1h")


@pytest.mark.django_db
def test_redeliver_says_github_is_not_configured(settings):
    settings.GITHUB_APP_ID = ""
    with pytest.raises(CommandError, match="GitHub is not configured"):
        run("redeliver_webhooks", "--since", "1h")


# --- prune_webhook_events --------------------------------------------------------------------

@pytest.mark.django_db
def test_prune_keeps_failed_and_unfinished_events_unless_asked():
    old = timezone.now() - timedelta(days=91)
    made = {}
    for status in Status.values:
        for age in ("old", "new"):
            event, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="pull_request",
                                           payload=load_fixture("pull_request", "closed"))
            WebhookEvent.objects.filter(pk=event.pk).update(
                status=status, received_at=old if age == "old" else timezone.now())
            made[(status, age)] = event.pk

    assert "would delete 2" in run("prune_webhook_events", "--older-than", "90d", "--dry-run")
    assert WebhookEvent.objects.count() == 10
    assert "deleted 2" in run("prune_webhook_events", "--older-than", "90d")
    remaining = set(WebhookEvent.objects.values_list("pk", flat=True))
    assert made[("completed", "old")] not in remaining
    assert made[("ignored", "old")] not in remaining
    assert made[("failed", "old")] in remaining
    assert made[("pending", "old")] in remaining and made[("processing", "old")] in remaining

    assert "deleted 1" in run("prune_webhook_events", "--older-than", "90d",
                              "--include-failed")
    assert made[("failed", "old")] not in set(WebhookEvent.objects.values_list("pk", flat=True))
    with pytest.raises(CommandError, match="not a duration"):
        run("prune_webhook_events", "--older-than", "ninety days")


# --- receive_webhook -------------------------------------------------------------------------

def _receive(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "receive_webhook", *args],
                          cwd=django_settings.BASE_DIR, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.django_db(transaction=True)
def test_receive_webhook_signs_and_posts_to_a_running_service(live_server, no_enqueue,
                                                             settings):
    settings.WEBHOOK_DISPATCH = "publish"  # the receiver hands the delivery on itself
    url = live_server.url + "/api/webhooks/github"
    delivery = str(uuid.uuid4())
    result = _receive("pull_request", str(fixture_path("pull_request", "opened")),
                      "--url", url, "--delivery", delivery)
    assert result.returncode == 0, result.stderr
    assert f"{delivery} -> HTTP 202" in result.stdout
    event = WebhookEvent.objects.get(delivery_id=delivery)
    assert event.payload == load_fixture("pull_request", "opened")
    assert no_enqueue == [event.pk]

    result = _receive("installation", str(fixture_path("installation", "created")),
                      "--url", url, "--form")
    assert result.returncode == 0, result.stderr
    assert WebhookEvent.objects.filter(event="installation").count() == 1

    result = _receive("pull_request", str(fixture_path("pull_request", "opened")),
                      "--url", url, "--secret", "wrong")
    assert result.returncode != 0
    assert "HTTP 401" in result.stdout and "answered 401" in result.stderr

    result = _receive("pull_request", "does/not/exist.json", "--url", url)
    assert result.returncode != 0 and "Cannot read" in result.stderr


@pytest.mark.django_db
def test_periodic_jobs_are_scheduled_and_redelivery_waits_for_an_app(settings):
    from webhooks.tasks import redeliver_failed_deliveries

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"webhooks.requeue_stale_pending", "webhooks.redeliver_failed_deliveries"} <= tasks
    settings.GITHUB_APP_ID = ""
    assert redeliver_failed_deliveries() == 0
