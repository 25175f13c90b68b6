"""Retries: 5xx, connection errors and timeouts are retried within bounds; 4xx never are; a
write whose answer was lost is never blindly repeated (issue 4, parts 1 and 3)."""

from __future__ import annotations

import pytest

from fortify_github.github import installation_client
from fortify_github.github.client import GitHubClient
from fortify_github.github.errors import (
    NotFound,
    ServerError,
    Unavailable,
    ValidationFailed,
    is_transient,
)
from github_sandbox import SandboxServer
from tests.support.processes import free_port, wait_until

from .conftest import OWNER, REPO, head_sha

REPO_PATH = f"/repos/{OWNER}/{REPO}"


def test_502_502_200_succeeds(gh: SandboxServer, client: GitHubClient) -> None:
    gh.state.faults.add("GET", REPO_PATH, "server_error", times=2, status=502)
    assert client.get_repository(OWNER, REPO)["name"] == REPO
    assert [r["status"] for r in gh.state.requests_to("GET", REPO_PATH)] == [502, 502, 200]


def test_retries_are_bounded(gh: SandboxServer, client: GitHubClient, settings) -> None:
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 3
    gh.state.faults.add("GET", REPO_PATH, "server_error", times=10, status=503)
    with pytest.raises(ServerError) as caught:
        client.get_repository(OWNER, REPO)
    assert caught.value.status == 503 and is_transient(caught.value)
    assert caught.value.endpoint == "GET /repos/{owner}/{repo}"
    assert len(gh.state.requests_to("GET", REPO_PATH)) == 3


def test_retries_stop_at_the_total_wait_budget(gh: SandboxServer, client: GitHubClient,
                                               settings) -> None:
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 10
    settings.GITHUB_RETRY_BACKOFF_BASE = 0.4
    settings.GITHUB_RETRY_BACKOFF_MAX = 0.4
    # Each backoff is 0.2-0.4 s (jitter), so a 0.5 s budget allows one or two of them.
    settings.GITHUB_RETRY_MAX_TOTAL_WAIT = 0.5
    gh.state.faults.add("GET", REPO_PATH, "server_error", times=10, status=500)
    with pytest.raises(ServerError):
        client.get_repository(OWNER, REPO)
    assert 2 <= len(gh.state.requests_to("GET", REPO_PATH)) <= 3


def test_404_is_not_retried(gh: SandboxServer, client: GitHubClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_repository(OWNER, "does-not-exist")
    assert not is_transient(caught.value)
    assert len(gh.state.requests_to("GET", f"/repos/{OWNER}/does-not-exist")) == 1


def test_422_is_not_retried_and_carries_githubs_errors(gh: SandboxServer,
                                                       client: GitHubClient) -> None:
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan",
                                  head_sha=head_sha(gh), external_id="scan-422")
    bad = {"title": "t", "summary": "s", "annotations": [
        {"path": "app.py", "start_line": 5, "end_line": 2, "annotation_level": "failure",
         "message": "backwards"}]}
    with pytest.raises(ValidationFailed) as caught:
        client.update_check_run(OWNER, REPO, run["id"], output=bad)
    assert caught.value.status == 422
    assert caught.value.errors and caught.value.errors[0]["field"] == "annotations"
    assert len(gh.state.requests_to("PATCH", f"{REPO_PATH}/check-runs/*")) == 1


def test_connection_errors_are_retried_then_raised_as_unavailable(gh: SandboxServer,
                                                                  settings) -> None:
    from fortify_github.github import app_client

    settings.GITHUB_API_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(Unavailable) as caught:
        app_client().get_app()
    assert caught.value.sent is False and is_transient(caught.value)


def test_a_timeout_is_retried(gh: SandboxServer, client: GitHubClient, settings) -> None:
    settings.GITHUB_HTTP_READ_TIMEOUT = 0.5
    client.get_repository(OWNER, REPO)  # token fetched before the fault
    gh.state.faults.add("GET", f"{REPO_PATH}/languages", "slow", delay=1.5)
    assert client.get_repository_languages(OWNER, REPO)
    wait_until(lambda: len(gh.state.requests_to("GET", f"{REPO_PATH}/languages")) == 2,
               timeout=10, what="the slow request to be logged")


def test_lost_check_run_create_does_not_create_a_second_run(gh: SandboxServer,
                                                            client: GitHubClient,
                                                            settings) -> None:
    """GitHub creates the run but the answer never arrives (read timeout): the client looks
    the run up by name, head SHA and external_id instead of posting again."""
    settings.GITHUB_HTTP_READ_TIMEOUT = 0.5
    sha = head_sha(gh)
    client.get_repository(OWNER, REPO)  # token fetched before the fault
    gh.state.faults.add("POST", f"{REPO_PATH}/check-runs", "drop", delay=1.5)
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan", head_sha=sha,
                                  external_id="scan-lost", status="in_progress")
    assert run["external_id"] == "scan-lost" and run["head_sha"] == sha
    assert len(gh.state.requests_to("POST", f"{REPO_PATH}/check-runs")) == 1
    runs = [r for r in gh.state.check_runs.values() if r.external_id == "scan-lost"]
    assert len(runs) == 1 and runs[0].id == run["id"]
    # Asking again (a task retry) returns the same run, still without a second POST.
    again = client.create_check_run(OWNER, REPO, name="Fortify Security Scan", head_sha=sha,
                                    external_id="scan-lost", status="in_progress")
    assert again["id"] == run["id"]
    assert len(gh.state.requests_to("POST", f"{REPO_PATH}/check-runs")) == 1


def test_check_run_create_after_a_502_is_tried_again_once(gh: SandboxServer,
                                                          client: GitHubClient) -> None:
    sha = head_sha(gh)
    gh.state.faults.add("POST", f"{REPO_PATH}/check-runs", "server_error", status=502)
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan", head_sha=sha,
                                  external_id="scan-502")
    assert [r["status"] for r in gh.state.requests_to("POST", f"{REPO_PATH}/check-runs")] == [
        502, 201]
    assert [r.id for r in gh.state.check_runs.values() if r.external_id == "scan-502"] == [
        run["id"]]


def test_other_posts_with_unknown_outcome_are_not_repeated(gh: SandboxServer,
                                                           client: GitHubClient) -> None:
    sha = head_sha(gh)
    gh.state.faults.add("POST", f"{REPO_PATH}/git/refs", "server_error", status=502)
    with pytest.raises(ServerError) as caught:
        client.create_ref(OWNER, REPO, "refs/heads/fortify-fixes", sha)
    assert caught.value.outcome_unknown
    assert len(gh.state.requests_to("POST", f"{REPO_PATH}/git/refs")) == 1


def test_user_agent_version_and_accept_headers(gh: SandboxServer, installation_id: int) -> None:
    installation_client(installation_id).get_repository(OWNER, REPO)
    headers = gh.state.requests_to("GET", REPO_PATH)[-1]["headers"]
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-Github-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"].startswith("Fortify")
    assert headers["Authorization"] == "Bearer"  # the sandbox logs the scheme only
