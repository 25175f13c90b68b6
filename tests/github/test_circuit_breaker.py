"""The circuit breaker: opens after repeated failures, fails fast, closes after the
cool-down; its state is shared and readable for /health (issue 4, part 5)."""

from __future__ import annotations

import time

import pytest

from fortify_github.github.breaker import circuit_state
from fortify_github.github.client import GitHubClient
from fortify_github.github.errors import CircuitOpen, NotFound, ServerError, is_transient
from github_sandbox import SandboxServer
from tests.support.processes import wait_until

from .conftest import OWNER, REPO

REPO_PATH = f"/repos/{OWNER}/{REPO}"


@pytest.fixture
def breaker_settings(gh: SandboxServer, settings) -> SandboxServer:
    settings.GITHUB_CIRCUIT_FAIL_MAX = 3
    settings.GITHUB_CIRCUIT_RESET_SECONDS = 1
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 2
    return gh


def test_circuit_opens_fails_fast_and_closes_after_the_cool_down(
        breaker_settings: SandboxServer, client: GitHubClient) -> None:
    gh = breaker_settings
    client.get_repository(OWNER, REPO)  # token in hand, circuit closed
    assert circuit_state()["state"] == "closed"
    gh.state.faults.add("GET", REPO_PATH + "/languages", "server_error", times=100, status=502)

    with pytest.raises(ServerError):
        client.get_repository_languages(OWNER, REPO)  # failures 1 and 2
    with pytest.raises((ServerError, CircuitOpen)):
        client.get_repository_languages(OWNER, REPO)  # failure 3 opens the circuit
    state = circuit_state()
    assert state["state"] == "open" and state["shared"] is True
    sent = len(gh.state.requests)

    with pytest.raises(CircuitOpen) as caught:
        client.get_repository(OWNER, REPO)  # a healthy endpoint, but the circuit is open
    assert len(gh.state.requests) == sent  # failed fast: nothing reached GitHub
    assert is_transient(caught.value) and 0 < caught.value.retry_after <= 2

    gh.state.faults.clear()
    time.sleep(1.2)
    wait_until(lambda: _call_succeeds(client), timeout=5, what="the circuit to let a call by")
    assert circuit_state()["state"] == "closed"
    assert circuit_state()["fail_counter"] == 0


def _call_succeeds(client: GitHubClient) -> bool:
    try:
        return client.get_repository(OWNER, REPO)["name"] == REPO
    except CircuitOpen:
        return False


def test_a_failed_trial_call_opens_the_circuit_again(breaker_settings: SandboxServer,
                                                     client: GitHubClient) -> None:
    gh = breaker_settings
    client.get_repository(OWNER, REPO)
    gh.state.faults.add("GET", REPO_PATH + "/languages", "server_error", times=100, status=500)
    for _ in range(2):
        with pytest.raises((ServerError, CircuitOpen)):
            client.get_repository_languages(OWNER, REPO)
    assert circuit_state()["state"] == "open"
    time.sleep(2.1)  # past the cool-down (opened_at has one-second resolution in Redis)
    with pytest.raises((ServerError, CircuitOpen)):
        client.get_repository_languages(OWNER, REPO)  # the trial call fails
    assert circuit_state()["state"] == "open"


def test_4xx_answers_do_not_trip_the_circuit(breaker_settings: SandboxServer,
                                             client: GitHubClient) -> None:
    for _ in range(6):
        with pytest.raises(NotFound):
            client.get_repository(OWNER, "missing")
    assert circuit_state()["state"] == "closed"


@pytest.mark.django_db
def test_health_shows_the_open_circuit_as_degraded(breaker_settings: SandboxServer,
                                                   client: GitHubClient) -> None:
    from django.test import Client

    gh = breaker_settings
    gh.state.faults.add("GET", REPO_PATH, "server_error", times=100, status=502)
    for _ in range(2):
        with pytest.raises((ServerError, CircuitOpen)):
            client.get_repository(OWNER, REPO)
    assert circuit_state()["state"] == "open"

    response = Client().get("/health")

    assert response.status_code == 200, "GitHub down does not make us unhealthy, only degraded"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["github_circuit"]["state"] == "open"
    assert body["components"]["github_circuit"]["status"] == "degraded"


def test_every_endpoint_method_starts_with_its_docs_url() -> None:
    import inspect

    public = [(name, method) for name, method in inspect.getmembers(GitHubClient,
                                                                    inspect.isfunction)
              if not name.startswith("_") and name != "find_check_run"]
    assert len(public) >= 30
    undocumented = [name for name, method in public
                    if not (method.__doc__ or "").startswith("https://docs.github.com/")]
    assert undocumented == []
