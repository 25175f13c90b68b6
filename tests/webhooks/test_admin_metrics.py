"""The Django admin for stored events, and the pipeline's Prometheus metrics."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.support.webhooks import load_fixture, post_webhook
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_store

pytestmark = pytest.mark.django_db

Status = WebhookEvent.Status


def _store(event: str, action: str, status: str = Status.PENDING) -> WebhookEvent:
    row, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event=event,
                                 payload=load_fixture(event, action))
    WebhookEvent.objects.filter(pk=row.pk).update(status=status)
    row.refresh_from_db()
    return row


def test_admin_finds_events_by_delivery_and_repository(admin_client):
    pr = _store("pull_request", "opened", Status.FAILED)
    install = _store("installation", "created", Status.COMPLETED)
    page = admin_client.get("/admin/webhooks/webhookevent/", {"q": pr.delivery_id})
    assert page.status_code == 200
    assert pr.delivery_id in page.content.decode()
    assert install.delivery_id not in page.content.decode()

    page = admin_client.get("/admin/webhooks/webhookevent/",
                            {"q": pr.repository_full_name}).content.decode()
    assert pr.delivery_id in page and install.delivery_id not in page

    page = admin_client.get("/admin/webhooks/webhookevent/",
                            {"status__exact": "completed"}).content.decode()
    assert install.delivery_id in page and pr.delivery_id not in page
    page = admin_client.get("/admin/webhooks/webhookevent/",
                            {"event__exact": "pull_request"}).content.decode()
    assert pr.delivery_id in page and install.delivery_id not in page


def test_admin_shows_the_payload_read_only(admin_client):
    pr = _store("pull_request", "opened")
    page = admin_client.get(f"/admin/webhooks/webhookevent/{pr.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert pr.payload["pull_request"]["title"] in html
    assert not re.search(r"<(textarea|input)[^>]+name=\"payload\"", html)
    assert 'name="_save"' not in html, "no save button: stored deliveries are not edited"
    assert admin_client.post(f"/admin/webhooks/webhookevent/{pr.pk}/change/",
                             {"status": "completed"}).status_code == 403
    assert admin_client.get("/admin/webhooks/webhookevent/add/").status_code == 403


def test_admin_action_replays_selected_events(admin_client, no_enqueue):
    failed = _store("pull_request", "opened", Status.FAILED)
    other = _store("pull_request", "closed", Status.FAILED)
    response = admin_client.post("/admin/webhooks/webhookevent/", {
        "action": "replay_selected", "_selected_action": [failed.pk]}, follow=True)
    assert response.status_code == 200
    assert "Replaying 1 event(s)" in response.content.decode()
    failed.refresh_from_db()
    other.refresh_from_db()
    assert failed.status == Status.PENDING and failed.replay_count == 1
    assert other.status == Status.FAILED
    assert no_enqueue == [failed.pk]


def _metric(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_events_time_acknowledgements_and_show_the_backlog(client, no_enqueue,
                                                                         settings):
    before = client.get("/metrics").content.decode()
    received = _metric(before, "github_webhook_events_total", event_type="pull_request",
                       status="received") or 0
    acks = _metric(before, "github_webhook_ack_seconds_count") or 0
    rejected = _metric(before, "github_webhook_rejected_total", reason="bad_signature") or 0

    payload = load_fixture("pull_request", "opened")
    assert post_webhook(client, "pull_request", payload).status_code == 202
    assert post_webhook(client, "pull_request", payload).status_code == 202
    assert post_webhook(client, "pull_request", payload, secret="bad").status_code == 401
    _store("check_suite", "requested", Status.PROCESSING)

    after = client.get("/metrics").content.decode()
    assert _metric(after, "github_webhook_events_total", event_type="pull_request",
                   status="received") == received + 2
    assert _metric(after, "github_webhook_ack_seconds_count") == acks + 3
    assert _metric(after, "github_webhook_rejected_total", reason="bad_signature") == (
        rejected + 1)
    assert _metric(after, "github_webhook_pending_backlog", status="pending") == 2
    assert _metric(after, "github_webhook_pending_backlog", status="processing") == 1
