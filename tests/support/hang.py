"""A check-run create that hangs on GitHub must block nothing else: driven over HTTP, so the
same scenario runs against the session's sandbox (PostgreSQL) and ``bin/run``'s (SQLite)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests

from tests.support.processes import wait_until

OWNER = "fortify-demo"
HUNG_REPO, OTHER_REPO = "payments-api", "web-frontend"


def call(sandbox: str, method: str, *args: Any, **kwargs: Any) -> Any:
    response = requests.post(f"{sandbox}/_sandbox/call", timeout=30,
                             json={"method": method, "args": list(args), "kwargs": kwargs})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def add_fault(sandbox: str, **fault: Any) -> None:
    response = requests.post(f"{sandbox}/_sandbox/faults", json=fault, timeout=10)
    assert response.status_code == 201, response.text


def active_faults(sandbox: str) -> list[dict[str, Any]]:
    return requests.get(f"{sandbox}/_sandbox/faults", timeout=10).json()


def clear_faults(sandbox: str) -> None:
    """Also ends the delay of a request a fault is holding."""
    assert requests.delete(f"{sandbox}/_sandbox/faults", timeout=10).status_code == 204


def deliveries(sandbox: str) -> list[dict[str, Any]]:
    return requests.get(f"{sandbox}/_sandbox/deliveries?wait=10", timeout=30).json()


def run_state(sandbox: str, repo: str, number: int) -> str | None:
    """The Fortify run's status as the PR page shows it (``None``: no run yet)."""
    page = requests.get(f"{sandbox}/{OWNER}/{repo}/pull/{number}", timeout=10).text
    found = re.search(r'Fortify Security Scan\s*<span class="label (\w+)">', page)
    return found.group(1) if found else None


def open_fresh_pull_request(sandbox: str, repo: str) -> dict[str, Any]:
    """A PR from a new branch with a new commit: no run of an earlier test is on it."""
    branch = f"hang/{uuid.uuid4().hex[:8]}"
    call(sandbox, "push_commit", OWNER, repo, branch, {f"{branch}.txt": "hello\n"},
         notify=False)
    return call(sandbox, "open_pull_request", OWNER, repo, branch)


def assert_a_hanging_create_blocks_nothing(sandbox: str, *, hang: float = 30,
                                           log=None) -> None:
    """Hang GitHub's create of one PR's run for ``hang`` seconds; meanwhile deliveries are
    answered 2xx in well under a second and another PR gets its ``in_progress`` run. The hang
    is ended (faults cleared) as soon as that is seen, and the hung PR then gets its run."""
    repo = HUNG_REPO
    add_fault(sandbox, method="POST", path_pattern=f"/repos/{OWNER}/{repo}/check-runs",
              kind="slow", delay=hang)
    seen = len(deliveries(sandbox))
    hung = open_fresh_pull_request(sandbox, repo)
    try:
        wait_until(lambda: not active_faults(sandbox), timeout=60, log=log,
                   what="the worker's create of the first run to reach GitHub and hang")
        call(sandbox, "send_webhook", "ping", {"zen": "Keep it logically awesome.",
                                               "hook_id": 1}, wait=True)
        other = open_fresh_pull_request(sandbox, OTHER_REPO)
        wait_until(lambda: run_state(sandbox, OTHER_REPO, other["number"]), timeout=hang - 5,
                   what="the other pull request's in_progress run", log=log)
        assert run_state(sandbox, repo, hung["number"]) is None, "the create still hangs"
        answered = [d for d in deliveries(sandbox)[seen:] if d["event"] != "installation"]
        assert {d["event"] for d in answered} >= {"pull_request", "ping"}
        for delivery in answered:
            assert 200 <= delivery["status_code"] < 300, delivery
            assert delivery["duration"] < 1.0, delivery
    finally:
        clear_faults(sandbox)
    wait_until(lambda: run_state(sandbox, repo, hung["number"]), timeout=60, log=log,
               what="the hung pull request's run, once GitHub answers")
