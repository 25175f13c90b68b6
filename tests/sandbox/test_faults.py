"""Injected faults: each kind fires on N matching calls and then clears."""

from __future__ import annotations

import time

import pytest
import requests

from github_sandbox import SandboxServer

from .conftest import Api

REPO = "/repos/fortify-demo/payments-api"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_clears_after_n_calls(sandbox: SandboxServer, as_org: Api,
                                           status: int) -> None:
    sandbox.state.faults.add("GET", "/repos/*/payments-api", "server_error", times=2,
                             status=status)
    responses = [as_org.get(REPO) for _ in range(3)]
    assert [r.status_code for r in responses] == [status, status, 200]
    assert set(responses[0].json()) == {"message", "documentation_url", "status"}


def test_primary_rate_limit(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.faults.add("GET", REPO, "primary_rate_limit", reset_in=7)
    response = as_org.get(REPO)
    assert response.status_code == 403
    assert response.headers["x-ratelimit-remaining"] == "0"
    reset = int(response.headers["x-ratelimit-reset"])
    assert 0 < reset - sandbox.state.clock.now() <= 8
    assert response.json()["message"].startswith("API rate limit exceeded for installation ID")
    assert response.json()["documentation_url"]
    assert as_org.get(REPO).status_code == 200


@pytest.mark.parametrize("retry_after", [30, None])
def test_secondary_rate_limit(sandbox: SandboxServer, as_org: Api,
                              retry_after: int | None) -> None:
    sandbox.state.faults.add("POST", "/repos/*/*/check-runs", "secondary_rate_limit",
                             retry_after=retry_after)
    response = as_org.post(f"{REPO}/check-runs", json={"name": "x", "head_sha": "0" * 40})
    assert response.status_code == 403
    assert response.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert response.headers.get("retry-after") == (None if retry_after is None else "30")
    assert as_org.post(f"{REPO}/check-runs",
                       json={"name": "x", "head_sha": "0" * 40}).status_code == 422


def test_regex_patterns_match_too(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.faults.add("GET", r"/repos/[^/]+/payments-api", "server_error")
    assert as_org.get(REPO).status_code == 500


def test_slow_serves_after_a_delay(sandbox: SandboxServer, as_org: Api) -> None:
    sandbox.state.faults.add("GET", REPO, "slow", delay=1.5)
    with pytest.raises(requests.Timeout):
        as_org.get(REPO, timeout=0.3)
    assert as_org.get(REPO).status_code == 200


def test_drop_performs_the_operation_but_the_answer_is_lost(sandbox: SandboxServer,
                                                            as_org: Api) -> None:
    sha = sandbox.state.repository("fortify-demo", "payments-api").branches["main"]
    sandbox.state.faults.add("POST", "/repos/*/*/check-runs", "drop", delay=1.5)
    with pytest.raises(requests.Timeout):
        as_org.post(f"{REPO}/check-runs", json={"name": "Fortify", "head_sha": sha},
                    timeout=0.3)
    runs = as_org.get(f"{REPO}/commits/{sha}/check-runs").json()
    assert runs["total_count"] == 1  # the check run exists although the client saw nothing


def test_control_endpoints(sandbox: SandboxServer, as_org: Api) -> None:
    control = f"{sandbox.url}/_sandbox"
    added = requests.post(f"{control}/faults", json={
        "method": "GET", "path_pattern": REPO, "kind": "server_error", "times": 1,
        "status": 503}, timeout=5)
    assert added.status_code == 201
    assert len(requests.get(f"{control}/faults", timeout=5).json()) == 1
    assert requests.delete(f"{control}/faults", timeout=5).status_code == 204
    assert as_org.get(REPO).status_code == 200
    stats = requests.get(f"{control}/stats", timeout=5).json()
    assert stats["token_requests"] == 1
    logged = requests.get(f"{control}/requests", timeout=5).json()
    assert logged[-1]["path"] == REPO
    before = sandbox.state.clock.now()
    requests.post(f"{control}/clock", json={"advance": 3601}, timeout=5)
    assert sandbox.state.clock.now() - before >= 3601
    assert as_org.get(REPO).status_code == 401
    called = requests.post(f"{control}/call", json={
        "method": "open_pull_request", "args": ["fortify-demo", "payments-api",
                                                "vuln/sql-injection"]}, timeout=5)
    assert called.json()["result"]["number"] == 1


def test_rate_limit_budget_is_really_spent(sandbox: SandboxServer, as_org: Api) -> None:
    first = int(as_org.get(REPO).headers["x-ratelimit-remaining"])
    second = int(as_org.get(REPO).headers["x-ratelimit-remaining"])
    assert second == first - 1
    assert time.time()  # rate windows use the sandbox clock, not sleeps


def test_clearing_faults_ends_a_request_they_hold(sandbox: SandboxServer, as_org: Api) -> None:
    """A 30 s hang ends as soon as the test has seen enough: no test waits it out."""
    import threading

    sandbox.state.faults.add("GET", REPO, "slow", delay=30)
    answers: list[int] = []
    started = time.monotonic()
    caller = threading.Thread(target=lambda: answers.append(as_org.get(REPO).status_code))
    caller.start()
    while sandbox.state.faults.active():  # until the request is being held
        time.sleep(0.05)
    sandbox.state.faults.clear()
    caller.join(timeout=10)
    assert answers == [200]
    assert time.monotonic() - started < 10
