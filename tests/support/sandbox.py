"""Driving the GitHub sandbox from tests: open PRs and read what GitHub would show."""

from __future__ import annotations

import json
from typing import Any


def last_payload(sandbox, event: str, action: str | None = None) -> dict[str, Any]:
    """The newest webhook payload the sandbox produced for ``event`` (and ``action``)."""
    for delivery in reversed(sandbox.state.deliveries):
        if delivery.event == event and (action is None or delivery.action == action):
            return json.loads(delivery.payload)
    raise AssertionError(f"the sandbox sent no {event}.{action} webhook")


def open_pull_request(sandbox, owner: str, repo: str, branch: str, **options) -> dict[str, Any]:
    """Open a PR on the sandbox; returns the ``pull_request.opened`` payload it sent."""
    sandbox.state.open_pull_request(owner, repo, branch, **options)
    return last_payload(sandbox, "pull_request", "opened")


def check_runs_for(sandbox, owner: str, repo: str, head_sha: str) -> list:
    return [run for run in sandbox.state.check_runs.values()
            if run.repo.owner.login == owner and run.repo.name == repo
            and run.head_sha == head_sha]


def completed_runs_of(sandbox, scan) -> list | None:
    """The runs of ``scan`` once the first is completed, else None (for ``wait_until``).

    Only this scan's runs, by external id: the session sandbox also holds other tests' runs
    on the same commit."""
    runs = [run for run in check_runs_for(sandbox, scan.repository.owner, scan.repository.name,
                                          scan.head_sha)
            if run.external_id == str(scan.public_id)]
    return runs if runs and runs[0].status == "completed" else None
