"""Webhook payload builders, with the fields GitHub's real payloads carry.

Checked against `@octokit/webhooks-examples` by tests/sandbox/test_webhook_examples.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .clock import iso8601
from .identifiers import node_id
from .models import Account, CheckRun, CheckSuite, Installation, PullRequest, Repository
from .representations import (
    app_json,
    check_run_json,
    check_suite_json,
    installation_json,
    pull_request_minimal_json,
    repository_json,
    repository_summary_json,
    user_json,
)

if TYPE_CHECKING:
    from .state import GitHubState


def organization_json(org: Account, base: str) -> dict[str, Any]:
    """`organization-simple`, sent with every event on an organization's repository."""
    api = f"{base}/orgs/{org.login}"
    return {
        "login": org.login, "id": org.id, "node_id": node_id("Organization", org.id),
        "url": api, "repos_url": f"{api}/repos", "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks", "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{base}/avatars/u/{org.id}?v=4", "description": "",
    }


def _webhook_time(timestamp: float) -> str:
    """Installation payloads carry times like `2021-04-28T22:32:21.000-04:00`."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000+00:00")


def _envelope(state: GitHubState, action: str, repo: Repository | None,
              sender: Account | None) -> dict[str, Any]:
    """The fields every App webhook shares: action, repository, organization, sender,
    installation (`{id, node_id}`)."""
    base = state.base_url
    payload: dict[str, Any] = {"action": action}
    if repo is not None:
        payload["repository"] = repository_json(repo, base)
        if repo.owner.is_org:
            payload["organization"] = organization_json(repo.owner, base)
        inst = state.installation_for_repo(repo)
        if inst is not None:
            payload["installation"] = {"id": inst.id,
                                       "node_id": node_id("IntegrationInstallation", inst.id)}
    who = sender or state.accounts.get(state.signed_in_login.lower())
    if who is not None:
        payload["sender"] = user_json(who, base)
    return payload


def pull_request_payload(state: GitHubState, pr: PullRequest, action: str, *,
                         before: str | None = None, after: str | None = None) -> dict[str, Any]:
    """`pull_request` opened/synchronize/reopened/closed/ready_for_review."""
    payload = _envelope(state, action, pr.repo, pr.user)
    payload["number"] = pr.number
    payload["pull_request"] = state.pull_request_json(pr)
    if action == "synchronize":
        payload["before"], payload["after"] = before, after
    return _ordered(payload, ["action", "number", "before", "after", "pull_request"])


def installation_payload(state: GitHubState, inst: Installation, action: str, *,
                         sender: str | None = None) -> dict[str, Any]:
    """`installation` created/deleted/suspend/unsuspend/new_permissions_accepted."""
    base = state.base_url
    who = state.account(sender) if sender else state.accounts.get(state.signed_in_login.lower())
    data = installation_json(inst, state.app, base)
    data["created_at"] = _webhook_time(inst.created_at)
    data["updated_at"] = _webhook_time(inst.updated_at)
    if inst.suspended_at:
        data["suspended_at"] = _webhook_time(inst.suspended_at)
        data["suspended_by"] = user_json(state.account(inst.suspended_by), base) if (
            inst.suspended_by) else None
    payload: dict[str, Any] = {"action": action, "installation": data}
    if action not in ("suspend", "unsuspend"):
        payload["repositories"] = [repository_summary_json(r)
                                   for r in state.installation_repositories(inst)]
    if action == "created":
        payload["requester"] = None
    if who is not None:
        payload["sender"] = user_json(who, base)
    return payload


def installation_repositories_payload(state: GitHubState, inst: Installation, *,
                                      added: Sequence[Repository] = (),
                                      removed: Sequence[Repository] = ()) -> dict[str, Any]:
    """`installation_repositories` added/removed."""
    base = state.base_url
    data = installation_json(inst, state.app, base)
    data["created_at"] = _webhook_time(inst.created_at)
    data["updated_at"] = _webhook_time(inst.updated_at)
    who = state.accounts.get(state.signed_in_login.lower())
    payload: dict[str, Any] = {
        "action": "added" if added else "removed",
        "installation": data,
        "repository_selection": inst.repository_selection,
        "repositories_added": [repository_summary_json(r) for r in added],
        "repositories_removed": [repository_summary_json(r) for r in removed],
        "requester": None,
    }
    if who is not None:
        payload["sender"] = user_json(who, base)
    return payload


def head_commit_json(repo: Repository, sha: str) -> dict[str, Any] | None:
    commit = repo.store.commits.get(sha)
    if commit is None:
        return None
    return {
        "id": sha, "tree_id": commit.tree, "message": commit.message,
        "timestamp": iso8601(commit.committer.timestamp),
        "author": {"name": commit.author.name, "email": commit.author.email},
        "committer": {"name": commit.committer.name, "email": commit.committer.email},
    }


def check_suite_object(state: GitHubState, suite: CheckSuite, *,
                       with_head_commit: bool = True) -> dict[str, Any]:
    base = state.base_url
    app = app_json(state.app, state.account(state.app.owner_login), base)
    prs = [pull_request_minimal_json(pr, base)
           for pr in state.open_pulls_for_sha(suite.repo, suite.head_sha)]
    runs = sum(1 for r in state.check_runs.values() if r.suite is suite)
    head = head_commit_json(suite.repo, suite.head_sha) if with_head_commit else None
    return check_suite_json(suite, app, base, prs, runs, head)


def check_suite_payload(state: GitHubState, suite: CheckSuite, action: str) -> dict[str, Any]:
    """`check_suite` requested/rerequested/completed."""
    payload = _envelope(state, action, suite.repo, None)
    payload["check_suite"] = check_suite_object(state, suite)
    return _ordered(payload, ["action", "check_suite"])


def check_run_payload(state: GitHubState, run: CheckRun, action: str) -> dict[str, Any]:
    """`check_run` created/completed/rerequested/requested_action (the caller adds
    `requested_action`)."""
    base = state.base_url
    app = app_json(state.app, state.account(state.app.owner_login), base)
    prs = [pull_request_minimal_json(pr, base)
           for pr in state.open_pulls_for_sha(run.repo, run.head_sha)]
    suite = check_suite_object(state, run.suite, with_head_commit=False)
    payload = _envelope(state, action, run.repo, None)
    payload["check_run"] = check_run_json(run, app, base, prs, suite=suite)
    return _ordered(payload, ["action", "check_run"])


def _ordered(payload: dict[str, Any], first: list[str]) -> dict[str, Any]:
    """Put the event's own fields first, as GitHub's payloads read."""
    head = {k: payload[k] for k in first if k in payload}
    return {**head, **{k: v for k, v in payload.items() if k not in head}}
