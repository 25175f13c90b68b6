"""Our webhook payloads carry every field GitHub's (octokit's recorded examples) do.

For each event and action we build, every key of each matching example - at the top level
and in the main nested objects - must exist in ours with the same JSON type (null matches
anything, as those fields are nullable).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from github_sandbox import SandboxServer
from github_sandbox import webhooks as builders

from .npm_packages import WEBHOOK_EXAMPLES, ensure_installed

NESTED = ("pull_request", "repository", "installation", "check_run", "check_suite", "sender",
          "organization", "pull_request.head", "pull_request.base", "pull_request.head.repo",
          "check_run.check_suite", "check_run.app", "check_suite.app", "installation.account",
          "check_suite.head_commit", "pull_request.user")
# The installation's timestamps are epoch integers in older recordings and ISO strings in newer
# ones (octokit's schema types them `number | string`); we send the newer form.
EITHER_NUMBER_OR_STRING = {("installation", "created_at"), ("installation", "updated_at")}
# Present only on check runs that GitHub Actions links to a deployment environment.
ONLY_FOR_DEPLOYMENTS = {("check_run", "deployment"), ("check_run.check_suite", "deployment")}


@pytest.fixture(scope="module")
def examples() -> dict[str, list[dict[str, Any]]]:
    ensure_installed()
    return {e["name"]: e["examples"] for e in json.loads(WEBHOOK_EXAMPLES.read_text())}


def _type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _at(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)  # type: ignore[assignment]
    return data


def differences(ours: dict[str, Any], example: dict[str, Any]) -> list[str]:
    problems = []
    for where in ("", *NESTED):
        theirs = _at(example, where) if where else example
        mine = _at(ours, where) if where else ours
        if not isinstance(theirs, dict) or not isinstance(mine, dict):
            continue
        for key, value in theirs.items():
            label = f"{where or '<top>'}.{key}"
            if (where, key) in ONLY_FOR_DEPLOYMENTS:
                continue
            if key not in mine:
                problems.append(f"missing {label}")
            elif value is not None and mine[key] is not None and _type(value) != _type(
                    mine[key]) and (where, key) not in EITHER_NUMBER_OR_STRING:
                problems.append(f"type of {label}: ours {_type(mine[key])}, "
                                f"GitHub's {_type(value)}")
    return problems


def _payloads(sandbox: SandboxServer) -> dict[tuple[str, str], dict[str, Any]]:
    state = sandbox.state
    state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    pr = state.pull_request("fortify-demo", "payments-api", 1)
    repo = pr.repo
    with state.lock:
        suite = state.check_suite_for(repo, pr.head_sha, pr.head_ref)
        from github_sandbox.models import CheckRun

        run = CheckRun(state.next_check_run_id(), repo, suite, "Fortify", pr.head_sha,
                       state.app.id, state.clock.now(), status="completed",
                       conclusion="failure", started_at=state.clock.now(),
                       completed_at=state.clock.now())
        state.check_runs[run.id] = run
    inst = state.installation_for_repo(repo)
    assert inst is not None
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for action in ("opened", "synchronize", "reopened", "closed", "ready_for_review"):
        out[("pull_request", action)] = builders.pull_request_payload(
            state, pr, action, before="a" * 40, after=pr.head_sha)
    for action in ("created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"):
        if action == "suspend":
            inst.suspended_at, inst.suspended_by = state.clock.now(), "octocat"
        out[("installation", action)] = builders.installation_payload(state, inst, action)
        inst.suspended_at = inst.suspended_by = None
    out[("installation_repositories", "added")] = builders.installation_repositories_payload(
        state, inst, added=[repo])
    out[("installation_repositories", "removed")] = builders.installation_repositories_payload(
        state, inst, removed=[repo])
    for action in ("created", "completed", "rerequested", "requested_action"):
        payload = builders.check_run_payload(state, run, action)
        if action == "requested_action":
            payload["requested_action"] = {"identifier": "fix"}
        out[("check_run", action)] = payload
    for action in ("requested", "rerequested", "completed"):
        out[("check_suite", action)] = builders.check_suite_payload(state, suite, action)
    return out


def test_payloads_match_githubs_examples(sandbox: SandboxServer,
                                         examples: dict[str, list[dict[str, Any]]]) -> None:
    problems: list[str] = []
    compared = 0
    for (event, action), payload in _payloads(sandbox).items():
        matching = [e for e in examples[event] if e.get("action") == action]
        assert matching, f"no example for {event}.{action}"
        for example in matching:
            compared += 1
            problems += [f"{event}.{action}: {p}" for p in differences(payload, example)]
    assert compared >= 20
    assert not problems, "\n".join(sorted(set(problems)))
