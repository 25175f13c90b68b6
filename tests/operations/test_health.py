"""``GET /health/github-integration``: each component healthy, degraded and unhealthy, with
the overall status and HTTP code each one leads to; ``/health/live`` and ``/health/ready``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.operations.conftest import record_heartbeat

URL = "/health/github-integration"


def _health(client) -> tuple[int, dict]:
    response = client.get(URL)
    return response.status_code, response.json()


def test_everything_alive_is_healthy_with_every_component(client, alive):
    code, body = _health(client)
    assert code == 200, body
    assert body["status"] == "healthy", body
    assert set(body["components"]) == {"github_api", "github_circuit", "webhook_processing",
                                       "installations", "database", "cache", "broker",
                                       "workers", "beat"}
    github = body["components"]["github_api"]
    assert github["outcome"] == "ok"
    assert github["rate_limit_remaining"] > 0 and github["rate_limit_reset"] > 0
    assert body["components"]["webhook_processing"]["failed_events_last_5min"] == 0
    assert body["components"]["workers"]["alive"] == ["worker-1@test"]
    assert set(body["components"]["beat"]["jobs"]) >= {
        "installations-sync", "webhooks-requeue-stale", "webhooks-redeliver-failed",
        "retention-prune"}
    assert "timestamp" in body


def test_github_probe_is_cached_so_probes_never_hammer_github(client, alive):
    sandbox = alive
    before = sum(1 for entry in sandbox.state.requests if entry["path"] == "/app")
    for _ in range(5):
        _health(client)
    after = sum(1 for entry in sandbox.state.requests if entry["path"] == "/app")
    assert after - before == 1


def test_github_down_is_degraded_not_unhealthy(client, alive):
    alive.stop()
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["github_api"] == {**body["components"]["github_api"],
                                                "status": "degraded", "outcome": "unreachable"}


def test_credentials_github_refuses_are_unhealthy(client, alive, settings):
    settings.GITHUB_APP_ID = "999999"  # another App's id: GitHub answers 401 Bad credentials
    code, body = _health(client)
    assert (code, body["status"]) == (503, "unhealthy")
    assert body["components"]["github_api"]["outcome"] == "bad_credentials"
    assert body["components"]["github_api"]["status_code"] == 401


def test_github_not_configured_is_degraded_and_says_so(client, alive, settings):
    settings.GITHUB_APP_ID = ""
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["github_api"]["outcome"] == "unconfigured"


def _failed_event(number: int):
    from webhooks.models import WebhookEvent

    return WebhookEvent.objects.create(
        delivery_id=f"failed-{number}", event="pull_request", action="opened", payload={},
        status=WebhookEvent.Status.FAILED, processed_at=timezone.now())


def test_a_failed_event_in_the_last_five_minutes_is_degraded(client, alive):
    _failed_event(1)
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["webhook_processing"]["failed_events_last_5min"] == 1


def test_many_failed_events_are_unhealthy(client, alive, settings):
    settings.HEALTH_FAILED_EVENTS_UNHEALTHY = 3
    for number in range(3):
        _failed_event(number)
    code, body = _health(client)
    assert (code, body["status"]) == (503, "unhealthy")
    assert body["components"]["webhook_processing"]["status"] == "unhealthy"


def test_an_event_waiting_too_long_is_degraded(client, alive):
    from webhooks.models import WebhookEvent

    WebhookEvent.objects.create(delivery_id="stuck", event="pull_request", payload={},
                                received_at=timezone.now() - timedelta(minutes=10))
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["webhook_processing"]["oldest_pending_age_seconds"] >= 600


def test_no_worker_heartbeat_is_unhealthy(client, alive):
    from fortify_github.models import WorkerHeartbeat

    WorkerHeartbeat.objects.all().delete()
    record_heartbeat("gone@test", ago=timedelta(minutes=5))
    code, body = _health(client)
    assert (code, body["status"]) == (503, "unhealthy")
    assert body["components"]["workers"]["alive"] == []
    assert body["components"]["workers"]["lost"] == ["gone@test"]


def test_a_lost_worker_beside_a_live_one_is_degraded(client, alive):
    record_heartbeat("gone@test", ago=timedelta(minutes=5))
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["workers"]["status"] == "degraded"


def test_a_late_periodic_job_is_degraded(client, alive):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name="webhooks-requeue-stale").update(
        last_run_at=timezone.now() - timedelta(hours=1))
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    beat = body["components"]["beat"]
    assert beat["late"] == ["webhooks-requeue-stale"]
    assert beat["jobs"]["webhooks-requeue-stale"]["late"] is True


def test_beat_that_never_ran_is_degraded_and_says_why(client, alive):
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.all().delete()
    code, body = _health(client)
    assert (code, body["status"]) == (200, "degraded")
    job = body["components"]["beat"]["jobs"]["installations-sync"]
    assert "is the beat process running" in job["error"]


def test_open_circuit_is_degraded(client, alive, settings):
    from fortify_github.github import app_client
    from fortify_github.github.breaker import circuit_state, reset_circuit
    from fortify_github.github.errors import GitHubError

    settings.GITHUB_CIRCUIT_FAIL_MAX = 1
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1
    alive.state.faults.add("GET", "/app/installations", "server_error", times=5, status=502)
    reset_circuit()
    try:
        with pytest.raises(GitHubError):
            list(app_client().list_installations())
        assert circuit_state()["state"] == "open"
        code, body = _health(client)
    finally:
        reset_circuit()
    assert (code, body["status"]) == (200, "degraded")
    assert body["components"]["github_circuit"]["status"] == "degraded"


@pytest.fixture
def redis_down(settings):
    """Cache and broker pointed at a port where nothing listens, as when Redis is down."""
    from fortify_github.celery import app
    from tests.support.processes import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": dead}}
    previous = app.conf.broker_url
    app.conf.broker_url = dead
    yield
    app.conf.broker_url = previous


def test_redis_down_is_unhealthy(client, alive, redis_down):
    code, body = _health(client)
    assert (code, body["status"]) == (503, "unhealthy")
    assert body["components"]["broker"]["status"] == "unhealthy"
    assert body["components"]["cache"]["status"] == "unhealthy"
    assert body["components"]["database"]["status"] == "healthy"
    assert "redis://" not in str(body), "no address or error text leaks"


def test_readiness_follows_redis_and_liveness_does_not(client, alive, redis_down):
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["broker"]["status"] == "unhealthy"
    live = client.get("/health/live")
    assert (live.status_code, live.json()["status"]) == (200, "alive")


def test_readiness_when_all_is_well(client, db):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert set(response.json()["components"]) == {"database", "cache", "broker"}


def test_the_worker_round_trip_is_for_operators_only(client, db):
    response = client.get("/health?worker=1")
    assert response.status_code == 403
    assert "operators" in response.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_an_operator_gets_the_worker_round_trip(client, settings, celery_worker):
    settings.METRICS_BEARER_TOKEN = "operator-token-for-tests"
    wrong = client.get("/health?worker=1", HTTP_AUTHORIZATION="Bearer wrong")
    assert wrong.status_code == 403
    response = client.get("/health?worker=1",
                          HTTP_AUTHORIZATION="Bearer operator-token-for-tests")
    assert response.status_code == 200, response.content
    assert response.json()["components"]["worker"]["status"] == "healthy"
