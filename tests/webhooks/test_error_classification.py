"""Every kind of exception a handler can meet is filed right: transient ones retry, the rest
fail at once (see ``webhooks.errors``). Errors from real failing parts where that is cheap
(a closed port for Redis and HTTP, a real constraint violation in PostgreSQL)."""

from __future__ import annotations

import uuid

import amqp.exceptions as amqp_errors
import kombu.exceptions as kombu_errors
import pytest
import redis
import redis.exceptions as redis_errors
import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model
from django.db import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    transaction,
)

from fortify_github.github import errors as github
from tests.support.processes import free_port
from tests.support.webhooks import load_fixture
from webhooks.errors import (
    ErrorKind,
    MalformedPayload,
    PermanentError,
    TransientError,
    classify,
    safe_error,
)
from webhooks.models import WebhookEvent
from webhooks.routing import Router
from webhooks.services import webhook_event_process, webhook_event_store

TRANSIENT, PERMANENT, BUG = ErrorKind.TRANSIENT, ErrorKind.PERMANENT, ErrorKind.BUG

CASES = [
    # ours
    (TransientError("lock held"), TRANSIENT),
    (PermanentError("cannot be done"), PERMANENT),
    (MalformedPayload("payload lacks pull_request.number"), PERMANENT),
    # database
    (OperationalError("server closed the connection unexpectedly"), TRANSIENT),
    (InterfaceError("connection already closed"), TRANSIENT),
    (IntegrityError("duplicate key value"), PERMANENT),
    (DataError("value too long for type character varying(255)"), PERMANENT),
    (ProgrammingError("column does not exist"), BUG),
    # Redis as cache, lock store, breaker and rate-limit budget
    (redis_errors.ConnectionError("Error 111 connecting"), TRANSIENT),
    (redis_errors.TimeoutError("Timeout reading from socket"), TRANSIENT),
    (redis_errors.BusyLoadingError("Redis is loading the dataset in memory"), TRANSIENT),
    (redis_errors.ReadOnlyError("You can't write against a read only replica."), TRANSIENT),
    (redis_errors.TryAgainError("TRYAGAIN"), TRANSIENT),
    (redis_errors.ResponseError("WRONGTYPE Operation against a key"), BUG),
    # the broker
    (kombu_errors.OperationalError("Error 111 connecting to localhost:6379"), TRANSIENT),
    (kombu_errors.TimeoutError("timed out"), TRANSIENT),
    (kombu_errors.ChannelError("channel closed"), TRANSIENT),
    (amqp_errors.ConnectionForced("broker shutting down"), TRANSIENT),
    (amqp_errors.RecoverableChannelError("resource locked"), TRANSIENT),
    (kombu_errors.EncodeError("not JSON serialisable"), BUG),
    # raw HTTP and sockets
    (requests.ConnectionError("Connection refused"), TRANSIENT),
    (requests.ConnectTimeout("connect timed out"), TRANSIENT),
    (requests.ReadTimeout("read timed out"), TRANSIENT),
    (requests.exceptions.ChunkedEncodingError("connection broken"), TRANSIENT),
    (ConnectionResetError(104, "Connection reset by peer"), TRANSIENT),
    (BrokenPipeError(32, "Broken pipe"), TRANSIENT),
    (TimeoutError("timed out"), TRANSIENT),
    (requests.HTTPError("418 Client Error"), BUG),
    # the GitHub client's hierarchy
    (github.ServerError("Bad gateway", status=502), TRANSIENT),
    (github.Unavailable("connection refused", sent=False), TRANSIENT),
    (github.CircuitOpen("GitHub failing", retry_after=30), TRANSIENT),
    (github.PrimaryRateLimited("budget spent", status=403, reset_at=0), TRANSIENT),
    (github.SecondaryRateLimited("slow down", status=429, retry_after=60), TRANSIENT),
    (github.RateLimited("own throttle"), TRANSIENT),
    (github.NotFound("Not Found", status=404), PERMANENT),
    (github.PermissionDenied("Resource not accessible by integration", status=403), PERMANENT),
    (github.Unauthorized("Bad credentials", status=401), PERMANENT),
    (github.BadRequest("Problems parsing JSON", status=400), PERMANENT),
    (github.ValidationFailed("Validation Failed", status=422), PERMANENT),
    (github.Conflict("Git Repository is empty.", status=409), PERMANENT),
    (github.IncompleteList("more than 100 pages"), PERMANENT),
    # Celery
    (SoftTimeLimitExceeded(), TRANSIENT),
    # anything else is a bug
    (KeyError("pull_request"), BUG),
    (ValueError("bad"), BUG),
]


@pytest.mark.parametrize(("error", "kind"), CASES, ids=[
    f"{type(e).__module__.split('.')[0]}.{type(e).__name__}" for e, _ in CASES])
def test_each_error_type_is_classified(error, kind):
    assert classify(error) is kind


def test_messages_are_stored_only_for_errors_we_word_ourselves():
    assert safe_error(github.NotFound("Not Found", endpoint="GET /repos/{owner}/{repo}",
                                      status=404)) == \
        "NotFound: GET /repos/{owner}/{repo}: Not Found (HTTP 404)"
    assert safe_error(PermanentError("repository is archived")) == \
        "PermanentError: repository is archived"
    # Third-party messages may quote a URL with credentials, a payload value or a key.
    assert safe_error(redis_errors.ConnectionError("redis://:hunter2@cache:6379")) == \
        "ConnectionError"
    assert safe_error(IntegrityError("Key (login)=(octocat) already exists")) == \
        "IntegrityError"


def test_real_failures_of_the_parts_are_classified_transient():
    closed = free_port()
    with pytest.raises(redis_errors.RedisError) as from_redis:
        redis.Redis(port=closed, socket_connect_timeout=1).ping()
    with pytest.raises(requests.RequestException) as from_http:
        requests.get(f"http://127.0.0.1:{closed}/", timeout=1)
    assert classify(from_redis.value) is TRANSIENT
    assert classify(from_http.value) is TRANSIENT


@pytest.mark.django_db
def test_a_real_constraint_violation_is_permanent():
    user_model = get_user_model()
    fields = {user_model.USERNAME_FIELD: f"dup-{uuid.uuid4().hex[:8]}"}
    user_model.objects.create(**fields)
    with pytest.raises(IntegrityError) as violation, transaction.atomic():
        user_model.objects.create(**fields)
    assert classify(violation.value) is PERMANENT


def _stored() -> WebhookEvent:
    row, _ = webhook_event_store(delivery_id=str(uuid.uuid4()), event="pull_request",
                                 payload=load_fixture("pull_request", "opened"))
    return row


@pytest.mark.django_db
@pytest.mark.parametrize(("error", "status", "stored_error"), [
    (redis_errors.ConnectionError("redis://:hunter2@cache"), "pending", "ConnectionError"),
    (kombu_errors.OperationalError("[Errno 111] Connection refused"), "pending",
     "OperationalError"),
    (requests.ReadTimeout("read timed out"), "pending", "ReadTimeout"),
    (github.NotFound("Not Found", status=404), "failed", "NotFound: Not Found (HTTP 404)"),
    (DataError("value too long: secret-ish"), "failed", "DataError"),
    (KeyError("pull_request"), "failed", "KeyError"),
], ids=["redis", "broker", "http", "github-404", "data", "bug"])
def test_the_pipeline_retries_transient_errors_and_fails_the_rest(error, status, stored_error):
    def handler(event: WebhookEvent) -> None:
        raise error

    local = Router()
    local.register(handler, "pull_request", "opened")
    row = _stored()
    outcome = webhook_event_process(row.pk, using_router=local)
    row.refresh_from_db()
    assert row.status == status
    assert (outcome.retry_in is not None) == (status == "pending")
    assert row.last_error == f"handler: {stored_error}"
    assert "hunter2" not in row.last_error and "secret" not in row.last_error
