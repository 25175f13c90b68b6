"""Check runs: GitHub's validation limits, accumulating annotations, listing and filters."""

from __future__ import annotations

from typing import Any

import pytest

from github_sandbox import SandboxServer

from .conftest import Api

RUNS = "/repos/fortify-demo/payments-api/check-runs"


def _annotation(line: int) -> dict[str, Any]:
    return {"path": "payments/db.py", "start_line": line, "end_line": line,
            "annotation_level": "failure", "message": f"finding {line}", "title": "SQL injection"}


@pytest.fixture
def head_sha(sandbox: SandboxServer) -> str:
    pr = sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    return str(pr["head"]["sha"])


def test_create_update_and_complete_a_check_run(as_org: Api, head_sha: str,
                                                sandbox: SandboxServer) -> None:
    created = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha,
                                      "status": "in_progress", "external_id": "scan-1",
                                      "details_url": "https://fortify.example/scans/1"})
    assert created.status_code == 201
    run = created.json()
    assert run["app"]["id"] == sandbox.app.id
    assert run["check_suite"]["id"] > 0
    assert [p["number"] for p in run["pull_requests"]] == [1]
    assert run["started_at"] and run["completed_at"] is None

    first = as_org.patch(f"{RUNS}/{run['id']}", json={"output": {
        "title": "2 findings", "summary": "s", "annotations": [_annotation(i) for i in (1, 2)]}})
    assert first.status_code == 200
    done = as_org.patch(f"{RUNS}/{run['id']}", json={
        "status": "completed", "conclusion": "failure",
        "output": {"title": "3 findings", "summary": "s", "annotations": [_annotation(3)]}})
    body = done.json()
    assert body["status"] == "completed" and body["completed_at"]
    assert body["output"]["annotations_count"] == 3
    annotations = as_org.get(f"{RUNS}/{run['id']}/annotations").json()
    assert [a["start_line"] for a in annotations] == [1, 2, 3]
    assert annotations[0]["blob_href"].endswith(f"/blob/{head_sha}/payments/db.py")


def test_51_annotations_are_rejected(as_org: Api, head_sha: str) -> None:
    response = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha, "output": {
        "title": "t", "summary": "s", "annotations": [_annotation(i) for i in range(1, 52)]}})
    assert response.status_code == 422
    assert response.json()["message"] == (
        "Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied.")


def test_4_actions_are_rejected(as_org: Api, head_sha: str) -> None:
    actions = [{"label": f"Fix {i}", "description": "d", "identifier": f"fix{i}"}
               for i in range(4)]
    response = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha,
                                       "actions": actions})
    assert response.status_code == 422


@pytest.mark.parametrize("action", [
    {"label": "x" * 21, "description": "d", "identifier": "i"},
    {"label": "l", "description": "x" * 41, "identifier": "i"},
    {"label": "l", "description": "d", "identifier": "x" * 21},
    {"label": "l", "identifier": "i"},
])
def test_action_field_limits(as_org: Api, head_sha: str, action: dict[str, str]) -> None:
    response = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha,
                                       "actions": [action]})
    assert response.status_code == 422


@pytest.mark.parametrize("body", [
    {"status": "completed"},
    {"output": {"summary": "no title"}},
    {"output": {"title": "t", "summary": "x" * 65536}},
    {"output": {"title": "t", "summary": "s", "text": "x" * 65536}},
    {"output": {"title": "t", "summary": "s", "annotations": [
        {"path": "a", "start_line": 1, "end_line": 2, "start_column": 1,
         "annotation_level": "warning", "message": "m"}]}},
])
def test_invalid_bodies_are_422(as_org: Api, head_sha: str, body: dict[str, Any]) -> None:
    response = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha, **body})
    assert response.status_code == 422


def test_unknown_sha_is_422(as_org: Api) -> None:
    response = as_org.post(RUNS, json={"name": "Fortify", "head_sha": "0" * 40})
    assert response.status_code == 422
    assert response.json()["message"] == f"No commit found for SHA: {'0' * 40}"


def test_conclusion_completes_the_run(as_org: Api, head_sha: str) -> None:
    body = as_org.post(RUNS, json={"name": "Fortify", "head_sha": head_sha,
                                   "conclusion": "success"}).json()
    assert body["status"] == "completed" and body["completed_at"]


def test_list_for_ref_with_filters(as_org: Api, head_sha: str) -> None:
    for name in ("Fortify", "Fortify", "Other"):
        as_org.post(RUNS, json={"name": name, "head_sha": head_sha})
    url = f"/repos/fortify-demo/payments-api/commits/{head_sha}/check-runs"
    assert as_org.get(url).json()["total_count"] == 2  # latest per name
    assert as_org.get(url, params={"filter": "all"}).json()["total_count"] == 3
    named = as_org.get(url, params={"check_name": "Fortify", "filter": "all"}).json()
    assert named["total_count"] == 2
    assert as_org.get(url, params={"status": "completed"}).json()["total_count"] == 0
    by_branch = as_org.get(
        "/repos/fortify-demo/payments-api/commits/vuln/sql-injection/check-runs").json()
    assert by_branch["total_count"] == 2


def test_fork_pull_requests_are_not_listed_on_check_runs(sandbox: SandboxServer,
                                                         as_org: Api) -> None:
    pr = sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection",
                                         fork_owner="mona-contrib")
    assert pr["head"]["repo"]["full_name"] == "mona-contrib/payments-api"
    run = as_org.post(RUNS, json={"name": "Fortify", "head_sha": pr["head"]["sha"]}).json()
    assert run["pull_requests"] == []


def test_user_tokens_cannot_create_check_runs(sandbox: SandboxServer, head_sha: str) -> None:
    token, _ = sandbox.state.issue_user_token("octocat")
    response = Api(sandbox, f"Bearer {token.token}").post(
        RUNS, json={"name": "Fortify", "head_sha": head_sha})
    assert response.status_code == 403
