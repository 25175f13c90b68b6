"""github.com-side flows: OAuth user authorization, the install page, and the demo UI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from github_sandbox import SandboxServer

from .conftest import Api
from .receiver import Receiver

CALLBACK = "http://127.0.0.1:9999/accounts/github/callback"


@pytest.fixture
def receiver(sandbox: SandboxServer) -> Iterator[Receiver]:
    server = Receiver().start()
    sandbox.app.webhook_url = server.url
    yield server
    server.stop()


def _authorize(sandbox: SandboxServer, state: str = "xyz") -> str:
    page = requests.get(f"{sandbox.url}/login/oauth/authorize", params={
        "client_id": sandbox.app.client_id, "redirect_uri": CALLBACK, "state": state},
        timeout=5)
    assert page.status_code == 200 and "Authorize" in page.text
    answer = requests.post(f"{sandbox.url}/login/oauth/authorize", data={
        "client_id": sandbox.app.client_id, "redirect_uri": CALLBACK, "state": state,
        "login": "octocat", "decision": "authorize"}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [state]
    return query["code"][0]


def _exchange(sandbox: SandboxServer, **fields: str) -> dict[str, object]:
    body = {"client_id": sandbox.app.client_id, "client_secret": sandbox.app.client_secret,
            **fields}
    response = requests.post(f"{sandbox.url}/login/oauth/access_token", data=body,
                             headers={"Accept": "application/json"}, timeout=5)
    assert response.status_code == 200
    return dict(response.json())


def test_oauth_code_exchange_and_refresh(sandbox: SandboxServer) -> None:
    code = _authorize(sandbox)
    tokens = _exchange(sandbox, code=code, redirect_uri=CALLBACK)
    assert str(tokens["access_token"]).startswith("ghu_")
    assert str(tokens["refresh_token"]).startswith("ghr_")
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 28800
    assert tokens["refresh_token_expires_in"] == 15811200
    user = Api(sandbox, f"Bearer {tokens['access_token']}").get("/user").json()
    assert user["login"] == "octocat" and user["email"] == "octocat@example.com"
    # a code works once
    assert _exchange(sandbox, code=code)["error"] == "bad_verification_code"
    refreshed = _exchange(sandbox, grant_type="refresh_token",
                          refresh_token=str(tokens["refresh_token"]))
    assert refreshed["access_token"] != tokens["access_token"]
    assert _exchange(sandbox, grant_type="refresh_token", refresh_token=str(
        tokens["refresh_token"]))["error"] == "bad_refresh_token"
    sandbox.state.clock.advance(8 * 3600 + 1)
    expired = Api(sandbox, f"Bearer {refreshed['access_token']}").get("/user")
    assert expired.status_code == 401


def test_oauth_errors_answer_200_like_github(sandbox: SandboxServer) -> None:
    assert _exchange(sandbox, code="nope")["error"] == "bad_verification_code"
    wrong = requests.post(f"{sandbox.url}/login/oauth/access_token", data={
        "client_id": sandbox.app.client_id, "client_secret": "wrong", "code": "x"}, timeout=5)
    assert wrong.status_code == 200
    assert parse_qs(wrong.text)["error"] == ["incorrect_client_credentials"]


def test_form_encoded_answer_without_accept_json(sandbox: SandboxServer) -> None:
    code = _authorize(sandbox)
    response = requests.post(f"{sandbox.url}/login/oauth/access_token", data={
        "client_id": sandbox.app.client_id, "client_secret": sandbox.app.client_secret,
        "code": code}, timeout=5)
    assert parse_qs(response.text)["token_type"] == ["bearer"]


def test_user_installations_with_a_user_token(sandbox: SandboxServer) -> None:
    tokens = _exchange(sandbox, code=_authorize(sandbox))
    api = Api(sandbox, f"Bearer {tokens['access_token']}")
    listing = api.get("/user/installations").json()
    assert listing["total_count"] == 2
    org = next(i for i in listing["installations"] if i["account"]["login"] == "fortify-demo")
    repos = api.get(f"/user/installations/{org['id']}/repositories").json()
    assert {r["name"] for r in repos["repositories"]} == {"payments-api", "web-frontend"}
    assert api.get("/user/emails").json()[0]["verified"] is True


def test_install_page_creates_installation_and_redirects_to_setup(
        sandbox: SandboxServer, receiver: Receiver) -> None:
    sandbox.app.setup_url = "http://127.0.0.1:9999/github/setup"
    sandbox.state.create_org("acme", admins=("octocat",))
    sandbox.state.create_repository("acme", "api", files={"main.py": "print('hi')\n"})
    sandbox.state.create_repository("acme", "web", files={"index.js": "1\n"})
    page = requests.get(f"{sandbox.url}/apps/{sandbox.app.slug}/installations/new",
                        params={"state": "s-123"}, timeout=5)
    assert page.status_code == 200 and "acme" in page.text
    answer = requests.post(f"{sandbox.url}/apps/{sandbox.app.slug}/installations/new", data={
        "account": "acme", "repository_selection": "selected", "repository": ["api"],
        "state": "s-123"}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == sandbox.app.setup_url
    assert query["setup_action"] == ["install"] and query["state"] == ["s-123"]
    installation = sandbox.state.installation(int(query["installation_id"][0]))
    assert installation.repository_selection == "selected"
    assert [r.name for r in sandbox.state.installation_repositories(installation)] == ["api"]
    sandbox.state.wait_for_deliveries()
    payload = json.loads(receiver.received[-1]["body"])
    assert receiver.received[-1]["headers"]["X-Github-Event"] == "installation"
    assert payload["action"] == "created"
    assert payload["installation"]["id"] == installation.id
    assert [r["name"] for r in payload["repositories"]] == ["api"]
    assert payload["sender"]["login"] == "octocat"


def test_ui_pages_render_and_buttons_send_webhooks(sandbox: SandboxServer, receiver: Receiver,
                                                   as_org: Api) -> None:
    web = sandbox.url
    assert "fortify-demo/payments-api" in requests.get(f"{web}/", timeout=5).text
    assert "vuln/sql-injection" in requests.get(f"{web}/fortify-demo/payments-api",
                                                timeout=5).text
    opened = requests.post(f"{web}/fortify-demo/payments-api/pulls",
                           data={"head": "vuln/sql-injection"}, timeout=5)
    assert opened.url.endswith("/fortify-demo/payments-api/pull/1")
    pr = as_org.get("/repos/fortify-demo/payments-api/pulls/1").json()
    run = as_org.post("/repos/fortify-demo/payments-api/check-runs", json={
        "name": "Fortify", "head_sha": pr["head"]["sha"], "conclusion": "failure",
        "output": {"title": "1 finding", "summary": "SQL injection found",
                   "annotations": [{"path": "payments/db.py", "start_line": 41,
                                    "end_line": 41, "annotation_level": "failure",
                                    "message": "User input reaches SQL", "title": "SQLi"}]},
        "actions": [{"label": "Ignore", "description": "Mark as false positive",
                     "identifier": "ignore"}]}).json()
    html = requests.get(f"{web}/fortify-demo/payments-api/pull/1", timeout=5).text
    assert "SQL injection found" in html and "User input reaches SQL" in html
    # the annotation sits right under new-side line 41 of payments/db.py
    line = re.search(r'<td class="num">41</td><td>(.*?)</td></tr><tr class="annotation', html)
    assert line and "cursor.execute" in line.group(1)
    requests.post(f"{web}/fortify-demo/payments-api/runs/{run['id']}/rerequest", timeout=5)
    requests.post(f"{web}/fortify-demo/payments-api/runs/{run['id']}/action",
                  data={"identifier": "ignore"}, timeout=5)
    requests.post(f"{web}/fortify-demo/payments-api/pull/1/commits",
                  data={"path": "payments/db.py", "line": "# reviewed"}, timeout=5)
    sandbox.state.wait_for_deliveries()
    events = [(d["event"], d["action"]) for d in sandbox.state.deliveries]
    assert events == [("pull_request", "opened"), ("check_run", "created"),
                      ("check_run", "completed"), ("check_run", "rerequested"),
                      ("check_run", "requested_action"), ("pull_request", "synchronize")]
