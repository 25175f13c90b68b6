"""Rate limits: primary and secondary limits honoured, the budget remembered for every
process, content creation throttled per installation (issue 4, part 4)."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from fortify_github.github import installation_client
from fortify_github.github.client import GitHubClient
from fortify_github.github.errors import PrimaryRateLimited, SecondaryRateLimited
from fortify_github.github.ratelimit import remembered_budget
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for

from .conftest import OWNER, REPO, head_sha

REPO_PATH = f"/repos/{OWNER}/{REPO}"


def test_secondary_limit_retry_after_is_honoured(gh: SandboxServer,
                                                  client: GitHubClient) -> None:
    sha = head_sha(gh)
    client.get_repository(OWNER, REPO)
    gh.state.faults.add("POST", f"{REPO_PATH}/check-runs", "secondary_rate_limit",
                        retry_after=1)
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan", head_sha=sha,
                                  external_id="scan-secondary")
    posts = gh.state.requests_to("POST", f"{REPO_PATH}/check-runs")
    assert [p["status"] for p in posts] == [403, 201]
    assert posts[1]["at"] - posts[0]["at"] >= 0.9  # it waited out Retry-After: 1
    assert run["external_id"] == "scan-secondary"


def test_secondary_limit_without_retry_after_defers_at_least_a_minute(
        gh: SandboxServer, client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    gh.state.faults.add("GET", f"{REPO_PATH}/languages", "secondary_rate_limit",
                        retry_after=None)
    with pytest.raises(SecondaryRateLimited) as caught:
        client.get_repository_languages(OWNER, REPO)
    assert caught.value.retry_after is not None and caught.value.retry_after >= 60
    # Every call of this installation now holds off without spending a request...
    sent = len(gh.state.requests)
    with pytest.raises(SecondaryRateLimited) as held:
        installation_client(installation_id_for(gh, OWNER)).get_repository(OWNER, REPO)
    assert held.value.status is None and held.value.retry_after > 55
    assert len(gh.state.requests) == sent
    # ...while other installations carry on.
    other = installation_client(installation_id_for(gh, "octocat"))
    assert other.get_repository("octocat", "hello-world")["name"] == "hello-world"


def test_primary_limit_waits_for_the_reset(gh: SandboxServer, client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    gh.state.faults.add("GET", f"{REPO_PATH}/languages", "primary_rate_limit", reset_in=2)
    assert client.get_repository_languages(OWNER, REPO) == {"Python": pytest.approx(2075,
                                                                                    abs=10**6)}
    calls = gh.state.requests_to("GET", f"{REPO_PATH}/languages")
    assert [c["status"] for c in calls] == [403, 200]
    assert calls[1]["at"] >= int(calls[0]["at"]) + 2  # not retried before x-ratelimit-reset


def test_a_distant_reset_raises_for_the_task_to_requeue(gh: SandboxServer,
                                                        client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    gh.state.faults.add("GET", f"{REPO_PATH}/languages", "primary_rate_limit", reset_in=1800)
    with pytest.raises(PrimaryRateLimited) as caught:
        client.get_repository_languages(OWNER, REPO)
    assert 1700 < caught.value.retry_after <= 1802
    assert caught.value.reset_at is not None
    # The spent budget is remembered: the next call does not even ask GitHub.
    sent = len(gh.state.requests)
    with pytest.raises(PrimaryRateLimited):
        client.get_repository(OWNER, REPO)
    assert len(gh.state.requests) == sent


def test_the_budget_is_remembered_per_installation(gh: SandboxServer,
                                                   client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    client.get_repository_languages(OWNER, REPO)
    client.get_repository_languages(OWNER, REPO)  # a 304 costs nothing
    client.get_branch(OWNER, REPO, "main")
    budget = remembered_budget(f"installation:{installation_id_for(gh, OWNER)}")
    assert budget is not None and budget.limit == 5000
    assert budget.remaining == 5000 - 3


def test_calls_spread_out_as_the_budget_runs_low(gh: SandboxServer, client: GitHubClient,
                                                 settings) -> None:
    settings.GITHUB_RATE_LIMIT_LOW_WATER = 0.99999  # "low" from the first response on
    before = REGISTRY.get_sample_value("github_rate_limit_waits_total",
                                       {"kind": "low_budget"}) or 0
    client.get_repository(OWNER, REPO)
    client.get_repository_languages(OWNER, REPO)
    after = REGISTRY.get_sample_value("github_rate_limit_waits_total", {"kind": "low_budget"})
    assert after == before + 1


def test_content_creation_is_throttled_per_installation(gh: SandboxServer,
                                                        client: GitHubClient,
                                                        settings) -> None:
    settings.GITHUB_CONTENT_REQUESTS_PER_MINUTE = 3
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 0  # defer at once instead of waiting a minute
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan",
                                  head_sha=head_sha(gh), external_id="scan-throttle")
    client.update_check_run(OWNER, REPO, run["id"], status="in_progress")
    client.update_check_run(OWNER, REPO, run["id"], status="in_progress")
    with pytest.raises(SecondaryRateLimited) as caught:
        client.update_check_run(OWNER, REPO, run["id"], status="in_progress")
    assert caught.value.status is None  # our throttle, not GitHub
    assert 0 < caught.value.retry_after <= 60
    assert len(gh.state.requests_to("PATCH", f"{REPO_PATH}/check-runs/*")) == 2
    # Reads are not content creation, and other installations have their own allowance.
    client.get_repository(OWNER, REPO)
    other = installation_client(installation_id_for(gh, "octocat"))
    hello_sha = head_sha(gh, "octocat", "hello-world")
    other.create_check_run("octocat", "hello-world", name="Fortify Security Scan",
                           head_sha=hello_sha, external_id="other")
