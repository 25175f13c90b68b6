"""The receiver, through the real view: what it accepts, what it refuses, and what it stores."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connections
from django.test import Client

from tests.support.processes import free_port
from tests.support.webhooks import (
    all_fixtures,
    encode,
    load_fixture,
    post_webhook,
    sign,
    sign_sha1,
)
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_process

pytestmark = pytest.mark.django_db

Status = WebhookEvent.Status


def _nothing_stored() -> bool:
    return not WebhookEvent.objects.exists()


# --- the bad-input matrix: each refused with its status code, and nothing stored ------------

def test_no_signature_is_refused(client):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret=None)
    assert response.status_code == 401
    assert _nothing_stored()


def test_wrong_signature_is_refused(client):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret="not-the-configured-secret")
    assert response.status_code == 401
    assert _nothing_stored()


def test_sha1_signature_alone_is_not_enough(client):
    body, mime = encode(load_fixture("pull_request", "opened"))
    response = client.generic("POST", "/api/webhooks/github", data=body, content_type=mime,
                              headers={"X-GitHub-Event": "pull_request",
                                       "X-GitHub-Delivery": str(uuid.uuid4()),
                                       "X-Hub-Signature": sign_sha1(body,
                                                                    "test-webhook-secret")})
    assert response.status_code == 401
    assert _nothing_stored()


@pytest.mark.parametrize("signature", [
    "sha256=", "sha256=zz", "sha1=" + "0" * 40, "0" * 64, "sha256=" + "0" * 63, "garbage",
])
def test_malformed_signature_is_refused(client, signature):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret=None, signature=signature)
    assert response.status_code == 401
    assert _nothing_stored()


def test_signature_of_other_bytes_is_refused(client):
    """The HMAC covers the exact bytes: re-serialising the same JSON breaks it."""
    payload = load_fixture("pull_request", "opened")
    body = json.dumps(payload).encode()
    response = client.generic("POST", "/api/webhooks/github",
                              data=json.dumps(payload, indent=2).encode(),
                              content_type="application/json",
                              headers={"X-GitHub-Event": "pull_request",
                                       "X-GitHub-Delivery": str(uuid.uuid4()),
                                       "X-Hub-Signature-256": sign(body, "test-webhook-secret")})
    assert response.status_code == 401
    assert _nothing_stored()


def test_second_secret_of_the_list_is_accepted(client, settings, no_enqueue):
    settings.GITHUB_WEBHOOK_SECRETS = ["new-secret-after-rotation", "old-secret"]
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret="old-secret")
    assert response.status_code == 202
    assert WebhookEvent.objects.count() == 1
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret="new-secret-after-rotation")
    assert response.status_code == 202
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            secret="test-webhook-secret")
    assert response.status_code == 401, "a secret no longer configured is refused"
    assert WebhookEvent.objects.count() == 2


def test_no_secret_configured_refuses_everything(client, settings):
    settings.GITHUB_WEBHOOK_SECRETS = []
    response = post_webhook(client, "ping", load_fixture("ping"), secret="anything")
    assert response.status_code == 500
    assert _nothing_stored()


@pytest.mark.parametrize("body", [
    b"not json at all", b"{\"truncated\": ", b"[1, 2, 3]", b"\"a string\"",
    b"\xff\xfe\x00binary",
    # Python's json module accepts these; JSON (and PostgreSQL) do not.
    b"{\"action\": NaN}", b"{\"number\": -Infinity}",
    # JSON, but not in UTF-8 (GitHub sends UTF-8).
    "{\"action\": \"opened\"}".encode("utf-16"),
], ids=["text", "truncated", "array", "string", "binary", "nan", "infinity", "utf-16"])
def test_body_that_is_not_a_json_object_is_refused(client, body):
    response = post_webhook(client, "pull_request", body)
    assert response.status_code == 400
    assert response.json() == {"error": "payload is not a JSON object"}
    assert _nothing_stored()


def test_form_encoded_delivery_is_accepted(client, no_enqueue):
    payload = load_fixture("installation", "created")
    response = post_webhook(client, "installation", payload, content_type="form")
    assert response.status_code == 202
    stored = WebhookEvent.objects.get()
    assert stored.payload == payload
    assert stored.installation_id == payload["installation"]["id"]


def test_form_encoded_without_payload_field_is_refused(client):
    body = b"something=else"
    response = client.generic(
        "POST", "/api/webhooks/github", data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-GitHub-Event": "ping", "X-GitHub-Delivery": str(uuid.uuid4()),
                 "X-Hub-Signature-256": sign(body, "test-webhook-secret")})
    assert response.status_code == 400
    assert _nothing_stored()


def test_missing_event_header_is_refused(client):
    response = post_webhook(client, None, load_fixture("pull_request", "opened"))
    assert response.status_code == 400
    assert _nothing_stored()


def test_missing_delivery_header_is_refused(client):
    response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"),
                            delivery=None)
    assert response.status_code == 400
    assert _nothing_stored()


def test_oversized_body_is_refused_before_reading_it(client):
    """The real 25 MB limit: one byte more is 413, whatever the signature."""
    payload = load_fixture("pull_request", "opened")
    padding = 25 * 1024 * 1024 + 1 - len(json.dumps({**payload, "padding": ""}).encode())
    payload["padding"] = "x" * padding
    body, _ = encode(payload)
    assert len(body) == 25 * 1024 * 1024 + 1
    response = post_webhook(client, "pull_request", payload)
    assert response.status_code == 413
    assert _nothing_stored()


def test_body_at_the_limit_is_accepted(client, settings, no_enqueue):
    payload = load_fixture("pull_request", "opened")
    settings.WEBHOOK_MAX_BODY_BYTES = len(encode(payload)[0])
    assert post_webhook(client, "pull_request", payload).status_code == 202
    settings.WEBHOOK_MAX_BODY_BYTES -= 1
    assert post_webhook(client, "pull_request", payload).status_code == 413
    assert WebhookEvent.objects.count() == 1


def test_empty_body_is_refused(client):
    response = post_webhook(client, "ping", b"")
    assert response.status_code == 400
    assert _nothing_stored()


def test_get_is_not_allowed(client):
    assert client.get("/api/webhooks/github").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_database_down_answers_503_so_github_records_a_failure(client, no_enqueue):
    """The database really unreachable (its connection pointed at a port nobody listens on)."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
    try:
        response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"))
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"error": "temporarily unable to store the delivery"}
    assert no_enqueue == []


# --- what is accepted -----------------------------------------------------------------------

def test_delivery_is_stored_pending_and_enqueued_on_commit(settings,
                                                           django_capture_on_commit_callbacks):
    """Where deliveries are not announced with pg_notify (SQLite, or ``publish``), the
    receiver publishes them itself, after the commit. (The pg_notify path:
    ``test_dispatch.py``.)"""
    settings.WEBHOOK_DISPATCH = "publish"
    client = Client(enforce_csrf_checks=True)  # no CSRF token, no session: still accepted
    payload = load_fixture("pull_request", "opened")
    delivery = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_webhook(client, "pull_request", payload, delivery=delivery)
    assert response.status_code == 202
    assert response.json() == {"delivery": delivery, "status": "queued"}
    stored = WebhookEvent.objects.get(delivery_id=delivery)
    assert stored.status == Status.PENDING
    assert (stored.event, stored.action) == ("pull_request", "opened")
    assert stored.hook_id == 448855011
    assert stored.repository_id == payload["repository"]["id"]
    assert stored.repository_full_name == payload["repository"]["full_name"]
    assert stored.sender_login == payload["sender"]["login"]
    assert stored.installation_id == payload["installation"]["id"]
    assert stored.payload == payload
    assert stored.received_at is not None
    assert len(callbacks) == 1, "processing is enqueued only once the row is committed"


@pytest.mark.parametrize(("event", "action"), all_fixtures())
def test_every_real_payload_is_stored_with_its_summary(client, event, action, no_enqueue,
                                                       settings,
                                                       django_capture_on_commit_callbacks):
    settings.WEBHOOK_DISPATCH = "publish"  # to see what is handed on (pings are not)
    payload = load_fixture(event, action)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, event, payload)
    assert response.status_code == (200 if event == "ping" else 202)
    stored = WebhookEvent.objects.get()
    assert stored.event == event
    assert stored.action == (action or "")
    assert stored.installation_id == (payload.get("installation") or {}).get("id")
    assert stored.repository_id == (payload.get("repository") or {}).get("id")
    assert stored.sender_login == (payload.get("sender") or {}).get("login", "")
    assert no_enqueue == ([] if event == "ping" else [stored.pk])


def test_postgresql_prepares_the_store_once_per_connection(client, no_enqueue):
    """The receiver's INSERT is a server-side prepared statement: PostgreSQL parses and plans
    it once per connection, and the payload travels as a bound parameter instead of being
    quoted into the SQL text (webhooks.services._execute_prepared)."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    payload = load_fixture("pull_request", "opened")
    for _ in range(3):
        assert post_webhook(client, "pull_request", payload).status_code == 202
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans "
                       "FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%INSERT INTO \"webhooks_webhookevent\"%"])
        prepared = cursor.fetchall()
    assert len(prepared) == 1, prepared
    statement, executions = prepared[0]
    assert executions == 3
    assert "$1" in statement and payload["repository"]["full_name"] not in statement
    assert WebhookEvent.objects.count() == 3
    assert all(stored.payload == payload for stored in WebhookEvent.objects.all())


def test_ping_answers_200_and_is_recorded_as_ignored(client, no_enqueue):
    payload = load_fixture("ping")
    response = post_webhook(client, "ping", payload)
    assert response.status_code == 200
    assert response.json()["zen"] == payload["zen"]
    stored = WebhookEvent.objects.get()
    assert stored.status == Status.IGNORED
    assert stored.hook_id == 448855011
    assert no_enqueue == []


def test_duplicate_delivery_is_acknowledged_and_not_processed_twice(
        client, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_DISPATCH = "publish"  # announced once with pg_notify: test_dispatch.py
    payload = load_fixture("check_suite", "requested")
    delivery = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = post_webhook(client, "check_suite", payload, delivery=delivery)
        second = post_webhook(client, "check_suite", payload, delivery=delivery)
    assert first.status_code == 202
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert WebhookEvent.objects.filter(delivery_id=delivery).count() == 1
    assert len(callbacks) == 1


def test_unknown_event_is_stored_then_ignored(client, no_enqueue):
    payload = load_fixture("check_suite", "requested")
    response = post_webhook(client, "some_future_event", {**payload, "action": "invented"})
    assert response.status_code == 202
    stored = WebhookEvent.objects.get()
    assert stored.status == Status.PENDING
    outcome = webhook_event_process(stored.pk)
    stored.refresh_from_db()
    assert outcome.status == Status.IGNORED
    assert stored.status == Status.IGNORED
    assert stored.status_reason == "no handler registered"


def test_logs_carry_the_delivery_and_never_the_payload(client, no_enqueue, caplog):
    payload = load_fixture("pull_request", "opened")
    delivery = str(uuid.uuid4())
    with caplog.at_level("INFO", logger="webhooks"):
        post_webhook(client, "pull_request", payload, delivery=delivery)
    lines = [r for r in caplog.records if r.name == "webhooks"]
    assert lines and all(r.delivery == delivery for r in lines)
    # The console's filter and formatter print it: "[delivery=... event=pull_request.opened]".
    from fortify_github.logcontext import LogContextFilter

    for record in lines:
        LogContextFilter().filter(record)
        assert f"delivery={delivery}" in record.log_context
    text = caplog.text
    assert payload["pull_request"]["title"] not in text
    assert "test-webhook-secret" not in text


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_answers_503(client, no_enqueue):
    """The real thing: the connection goes to a port where no PostgreSQL listens."""
    from django.db import connection

    from tests.support.processes import free_port

    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        response = post_webhook(client, "pull_request", load_fixture("pull_request", "opened"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert response.status_code == 503
    assert response.json() == {"error": "temporarily unable to store the delivery"}
    assert _nothing_stored()
    assert no_enqueue == []
