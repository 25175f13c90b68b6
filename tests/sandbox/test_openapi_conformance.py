"""Every exchange of a broad scenario conforms to GitHub's OpenAPI description.

The scenario calls every REST endpoint the sandbox serves (successes and the usual errors);
each recorded request and response is then checked by `validate_logged_requests`.
"""

from __future__ import annotations

import base64

import pytest

from github_sandbox import SandboxServer
from github_sandbox.openapi import load_spec, validate_exchange, validate_logged_requests
from github_sandbox.testing import installation_id_for

from .conftest import Api
from .npm_packages import OPENAPI_JSON, ensure_installed
from .receiver import Receiver


@pytest.fixture(scope="module", autouse=True)
def openapi_description() -> None:
    ensure_installed()
    load_spec(OPENAPI_JSON)


def _scenario(sandbox: SandboxServer, as_app: Api, as_org: Api) -> None:
    state = sandbox.state
    repo = "/repos/fortify-demo/payments-api"
    org_id = installation_id_for(sandbox, "fortify-demo")
    receiver = Receiver().start()
    sandbox.app.webhook_url = receiver.url
    try:
        # the App
        as_app.get("/app")
        as_app.get("/app/installations?per_page=1")
        as_app.get(f"/app/installations/{org_id}")
        as_app.get("/app/installations/1")
        as_app.get("/repos/fortify-demo/payments-api/installation")
        as_app.post(f"/app/installations/{org_id}/access_tokens",
                    json={"repositories": ["payments-api"], "permissions": {"checks": "write"}})
        as_app.post(f"/app/installations/{org_id}/access_tokens",
                    json={"repository_ids": [123]})
        # repositories
        as_org.get("/installation/repositories?per_page=1")
        as_org.get(repo)
        as_org.get("/repos/fortify-demo/missing")
        as_org.get(f"{repo}/languages")
        as_org.get(f"{repo}/branches/main")
        as_org.get(f"{repo}/branches/vuln/sql-injection")
        as_org.get(f"{repo}/branches/nope")
        as_org.get(f"{repo}/contents/payments/db.py", params={"ref": "vuln/sql-injection"})
        as_org.get(f"{repo}/contents/payments")
        as_org.get(f"{repo}/contents/nope.txt")
        as_org.get(f"{repo}/git/trees/main", params={"recursive": "1"})
        tree = as_org.get(f"{repo}/git/trees/main").json()
        blob_sha = next(e["sha"] for e in tree["tree"] if e["type"] == "blob")
        as_org.get(f"{repo}/git/blobs/{blob_sha}")
        as_org.get(f"{repo}/git/ref/heads/main")
        as_org.get(f"{repo}/tarball/main", allow_redirects=False)
        as_org.get(f"{repo}/compare/main...vuln/sql-injection")
        # pull requests
        pr = state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
        state.open_pull_request("fortify-demo", "payments-api", "feature/clean-change",
                                fork_owner="mona-contrib")
        as_org.get(f"{repo}/pulls", params={"state": "all", "per_page": "1"})
        as_org.get(f"{repo}/pulls", params={"head": "fortify-demo:vuln/sql-injection"})
        as_org.get(f"{repo}/pulls/1")
        as_org.get(f"{repo}/pulls/2")
        as_org.get(f"{repo}/pulls/99")
        as_org.get(f"{repo}/pulls/1/files", params={"per_page": "2", "page": "2"})
        as_org.get(f"{repo}/commits/{pr['head']['sha']}/pulls")
        # check runs
        sha = pr["head"]["sha"]
        run = as_org.post(f"{repo}/check-runs", json={
            "name": "Fortify", "head_sha": sha, "status": "in_progress",
            "external_id": "scan-1", "details_url": "https://fortify.example/scans/1",
            "started_at": "2024-05-01T12:00:00Z",
            "actions": [{"label": "Fix", "description": "Open a fix PR", "identifier": "fix"}],
        }).json()
        as_org.patch(f"{repo}/check-runs/{run['id']}", json={
            "status": "completed", "conclusion": "failure",
            "output": {"title": "1 finding", "summary": "SQL injection", "text": "details",
                       "annotations": [{"path": "payments/db.py", "start_line": 41,
                                        "end_line": 41, "start_column": 5, "end_column": 20,
                                        "annotation_level": "failure", "message": "tainted",
                                        "title": "SQL injection", "raw_details": "x"}]}})
        as_org.post(f"{repo}/check-runs", json={"name": "Fortify", "head_sha": sha,
                                                "actions": [{"label": "x"}] * 4})
        as_org.post(f"{repo}/check-runs", json={"name": "Fortify", "head_sha": "0" * 40})
        as_org.get(f"{repo}/check-runs/{run['id']}")
        as_org.get(f"{repo}/check-runs/{run['id']}/annotations")
        as_org.get(f"{repo}/commits/{sha}/check-runs",
                   params={"check_name": "Fortify", "filter": "all", "status": "completed",
                           "app_id": str(sandbox.app.id)})
        # branch protection
        protection = f"{repo}/branches/main/protection"
        as_org.get(protection)
        as_org.put(protection, json={
            "required_status_checks": {"strict": True, "contexts": ["ci/build"],
                                       "checks": [{"context": "Fortify",
                                                   "app_id": sandbox.app.id}]},
            "enforce_admins": True,
            "required_pull_request_reviews": {"required_approving_review_count": 2,
                                              "dismiss_stale_reviews": True},
            "restrictions": {"users": [], "teams": []},
        })
        as_org.get(f"{protection}/required_status_checks")
        as_org.patch(f"{protection}/required_status_checks", json={"strict": False})
        as_org.get(f"{protection}/required_status_checks/contexts")
        as_org.post(f"{protection}/required_status_checks/contexts",
                    json={"contexts": ["lint"]})
        as_org.delete(protection)
        as_org.get(protection)
        # user tokens
        token, _ = state.issue_user_token("octocat")
        as_user = Api(sandbox, f"Bearer {token.token}")
        as_user.get("/user")
        as_user.get("/user/emails")
        as_user.get("/user/installations")
        as_user.get(f"/user/installations/{org_id}/repositories")
        as_user.get("/rate_limit")
        # webhook deliveries
        state.wait_for_deliveries()
        deliveries = as_app.get("/app/hook/deliveries", params={"per_page": "2"}).json()
        as_app.get(f"/app/hook/deliveries/{deliveries[0]['id']}")
        as_app.post(f"/app/hook/deliveries/{deliveries[0]['id']}/attempts")
        state.wait_for_deliveries()
        # git data writes (needs contents: write)
        state.update_installation_permissions(org_id, {
            **state.installation(org_id).permissions, "contents": "write"}, notify=False)
        write_token = state.issue_installation_token(state.installation(org_id))
        writer = Api(sandbox, f"token {write_token.token}")
        blob = writer.post(f"{repo}/git/blobs", json={
            "content": base64.b64encode(b"hello\n").decode(), "encoding": "base64"}).json()
        main = state.repository("fortify-demo", "payments-api").branches["main"]
        base_tree = writer.get(f"{repo}/git/commits/{main}").json()["tree"]["sha"]
        new_tree = writer.post(f"{repo}/git/trees", json={"base_tree": base_tree, "tree": [
            {"path": "hello.txt", "mode": "100644", "type": "blob", "sha": blob["sha"]}]}).json()
        commit = writer.post(f"{repo}/git/commits", json={
            "message": "Add hello", "tree": new_tree["sha"], "parents": [main]}).json()
        writer.post(f"{repo}/git/refs", json={"ref": "refs/heads/fortify/fix",
                                              "sha": commit["sha"]})
        writer.patch(f"{repo}/git/refs/heads/fortify/fix", json={"sha": commit["sha"],
                                                                 "force": False})
        writer.delete("/installation/token")
    finally:
        receiver.stop()


def test_every_recorded_exchange_conforms(sandbox: SandboxServer, as_app: Api,
                                          as_org: Api) -> None:
    _scenario(sandbox, as_app, as_org)
    entries = sandbox.state.requests
    assert len(entries) >= 60
    problems = validate_logged_requests(entries, rejected_requests_may_be_invalid=True)
    assert not problems, "\n".join(problems[:40])


def test_validator_catches_shape_and_operation_errors() -> None:
    assert validate_exchange("GET", "/repos/o/r/nonsense/1", None, 200, {})
    bad_body = validate_exchange("POST", "/repos/o/r/check-runs", {"head_sha": "abc"}, 201,
                                 None)
    assert any("'name' is a required property" in p for p in bad_body)
    bad_response = validate_exchange("GET", "/repos/o/r/check-runs/1", None, 200, {"id": "x"})
    assert bad_response
    bad_query = validate_exchange("GET", "/repos/o/r/pulls", None, 200, [],
                                  query={"stat": "open"})
    assert any("undeclared parameter 'stat'" in p for p in bad_query)
