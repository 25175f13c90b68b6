"""Deliveries that must never be lost and events that must never loop."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.support.webhooks import load_fixture, post_webhook
from webhooks.models import WebhookEvent
from webhooks.services import max_attempts, webhook_event_claim, webhook_events_requeue_stale

pytestmark = pytest.mark.django_db


def test_a_payload_with_a_nul_character_is_stored_not_lost(client):
    """PostgreSQL's jsonb refuses NUL; GitHub sends it in diffs and PR bodies."""
    payload = load_fixture("pull_request", "opened")
    payload["pull_request"]["body"] = "before\u0000after"
    response = post_webhook(client, "pull_request", payload)
    assert response.status_code == 202
    stored = WebhookEvent.objects.get(delivery_id=response.json()["delivery"])
    assert stored.payload["pull_request"]["body"] == "before\ufffdafter"


def test_a_lone_surrogate_is_stored_not_lost(client):
    """``\\udc80`` parses in Python but PostgreSQL cannot hold it: replaced, stored."""
    body = json.dumps(load_fixture("pull_request", "opened")).replace(
        '"action": "opened"', '"action": "opened", "note": "x\\udc80y"', 1).encode()
    response = post_webhook(client, "pull_request", body)
    assert response.status_code == 202
    stored = WebhookEvent.objects.get(delivery_id=response.json()["delivery"])
    assert stored.payload["note"] == "x\ufffdy"


def test_a_nul_character_in_a_form_encoded_delivery_is_stored_not_lost(client):
    payload = load_fixture("pull_request", "opened")
    payload["pull_request"]["body"] = "before\u0000after"
    response = post_webhook(client, "pull_request", payload, content_type="form")
    assert response.status_code == 202
    stored = WebhookEvent.objects.get(delivery_id=response.json()["delivery"])
    assert stored.payload["pull_request"]["body"] == "before\ufffdafter"


def test_non_ascii_digits_in_the_hook_id_are_ignored_not_a_crash(client):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            extra_headers={"X-GitHub-Hook-ID": "\u00b2"})
    assert response.status_code == 202
    assert WebhookEvent.objects.get(delivery_id=response.json()["delivery"]).hook_id is None


def _abandoned(attempts: int) -> WebhookEvent:
    """An event whose worker died mid-processing ``attempts`` times (its lease ran out)."""
    return WebhookEvent.objects.create(
        delivery_id=f"lost-{attempts}", event="pull_request", action="opened",
        payload=load_fixture("pull_request", "opened"), status=WebhookEvent.Status.PROCESSING,
        attempts=attempts, started_at=timezone.now() - timedelta(days=1))


def test_an_event_that_keeps_killing_its_worker_ends_failed():
    event = _abandoned(max_attempts())
    assert webhook_event_claim(event.pk) is None, "no takeover once attempts are spent"
    webhook_events_requeue_stale()
    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.FAILED
    assert event.last_error.startswith("WorkerLost")


def test_an_abandoned_event_with_attempts_left_is_taken_over():
    event = _abandoned(1)
    claimed = webhook_event_claim(event.pk)
    assert claimed is not None and claimed.attempts == 2


@pytest.mark.parametrize(("command", "args", "message"), [
    ("replay_webhooks", ["--status", "failed", "--limit", "-1"], "must be at least 1"),
    ("replay_webhooks", ["--status", "failed", "--limit", "x"], "is not a whole number"),
    ("replay_webhooks", ["--since", "999999999d"], "longer than"),
    ("prune_webhook_events", ["--older-than", "999999999d"], "longer than"),
])
def test_command_bad_input_is_a_clear_error(command, args, message):
    with pytest.raises((CommandError, SystemExit)) as caught:
        call_command(command, *args)
    if isinstance(caught.value, CommandError):
        assert message in str(caught.value)


def test_a_lease_shorter_than_the_task_time_limit_is_a_system_check_error(settings):
    from django.core.checks import run_checks

    settings.WEBHOOK_PROCESSING_LEASE = 60
    settings.CELERY_TASK_TIME_LIMIT = 360
    assert "webhooks.E001" in [message.id for message in run_checks()]
    settings.WEBHOOK_PROCESSING_LEASE = 600
    assert "webhooks.E001" not in [message.id for message in run_checks()]
