"""Signed webhook delivery, the delivery log, and redelivery through the REST API."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator

import pytest

from github_sandbox import SandboxServer

from .conftest import Api
from .receiver import Receiver


@pytest.fixture
def receiver(sandbox: SandboxServer) -> Iterator[Receiver]:
    server = Receiver().start()
    sandbox.app.webhook_url = server.url
    yield server
    server.stop()


def test_signed_webhook_reaches_the_receiver(sandbox: SandboxServer, receiver: Receiver) -> None:
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection",
                                    wait=True)
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]["headers"], receiver.received[0]["body"]
    expected = "sha256=" + hmac.new(sandbox.app.webhook_secret.encode(), body,
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Hub-Signature-256"], expected)
    assert headers["X-Hub-Signature"].startswith("sha1=")
    assert headers["X-Github-Event"] == "pull_request"
    assert headers["X-Github-Hook-Installation-Target-Type"] == "integration"
    assert headers["X-Github-Hook-Installation-Target-Id"] == str(sandbox.app.id)
    assert headers["User-Agent"].startswith("GitHub-Hookshot/")
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["X-Github-Delivery"])
    payload = json.loads(body)
    assert payload["action"] == "opened" and payload["number"] == 1
    assert payload["installation"]["id"] > 0
    assert payload["organization"]["login"] == "fortify-demo"
    delivery = sandbox.state.deliveries[-1]
    assert delivery["status_code"] == 200 and delivery["status"] == "OK"
    assert delivery["guid"] == headers["X-Github-Delivery"]
    assert delivery["response"] == '{"ok": true}'


def test_failures_are_recorded(sandbox: SandboxServer, receiver: Receiver) -> None:
    receiver.status = 500
    sandbox.state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    sandbox.app.webhook_url = "http://127.0.0.1:9/unreachable"
    sandbox.state.close_pull_request("fortify-demo", "payments-api", 1)
    assert sandbox.state.wait_for_deliveries()
    first, second = sandbox.state.deliveries
    assert (first["status_code"], first["status"]) == (500, "Invalid HTTP Response: 500")
    assert (second["status_code"], second["status"]) == (0, "failed to connect to host")


def test_deliveries_arrive_in_order(sandbox: SandboxServer, receiver: Receiver) -> None:
    state = sandbox.state
    state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    state.push_commit("fortify-demo", "payments-api", "vuln/sql-injection", {"a.txt": "a\n"})
    state.close_pull_request("fortify-demo", "payments-api", 1)
    state.reopen_pull_request("fortify-demo", "payments-api", 1)
    state.wait_for_deliveries()
    actions = [json.loads(r["body"])["action"] for r in receiver.received]
    assert actions == ["opened", "synchronize", "closed", "reopened"]
    sync = json.loads(receiver.received[1]["body"])
    assert sync["before"] != sync["after"] == sync["pull_request"]["head"]["sha"]


def test_state_driven_events(sandbox: SandboxServer, receiver: Receiver, as_org: Api) -> None:
    state = sandbox.state
    org_installation = next(i for i in state.installations.values()
                            if i.account.login == "fortify-demo")
    state.add_repository_to_installation(org_installation.id, "fortify-demo",
                                         "inventory-service", notify=False)
    assert as_org.get("/repos/fortify-demo/inventory-service").status_code == 200
    assert state.deliveries == []  # drift: access changed without a webhook
    state.remove_repository_from_installation(org_installation.id, "fortify-demo",
                                              "inventory-service")
    sha = state.repository("fortify-demo", "payments-api").branches["main"]
    run = as_org.post("/repos/fortify-demo/payments-api/check-runs",
                      json={"name": "Fortify", "head_sha": sha,
                            "actions": [{"label": "Fix", "description": "Open a fix PR",
                                         "identifier": "fix"}]}).json()
    state.rerequest_check_run(run["id"])
    state.request_check_run_action(run["id"], "fix")
    state.wait_for_deliveries()
    events = [(d["event"], d["action"]) for d in state.deliveries]
    assert events == [("installation_repositories", "removed"), ("check_run", "created"),
                      ("check_run", "rerequested"), ("check_run", "requested_action")]
    assert json.loads(receiver.received[-1]["body"])["requested_action"] == {"identifier": "fix"}


def test_hook_deliveries_listing_and_redelivery(sandbox: SandboxServer, receiver: Receiver,
                                                as_app: Api) -> None:
    for _ in range(3):
        sandbox.state.send_webhook("ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    sandbox.state.wait_for_deliveries()
    first = as_app.get("/app/hook/deliveries?per_page=2")
    assert first.status_code == 200 and len(first.json()) == 2
    next_url = re.search(r'<([^>]+)>; rel="next"', first.headers["Link"])
    assert next_url and "cursor=" in next_url.group(1)
    second = as_app.get(next_url.group(1)).json()
    assert len(second) == 1
    ids = [d["id"] for d in first.json() + second]
    assert ids == sorted(ids, reverse=True)
    oldest = second[0]
    detail = as_app.get(f"/app/hook/deliveries/{oldest['id']}").json()
    assert detail["request"]["payload"]["zen"].startswith("Keep")
    assert detail["response"]["payload"] == '{"ok": true}'
    assert as_app.post(f"/app/hook/deliveries/{oldest['id']}/attempts").status_code == 202
    sandbox.state.wait_for_deliveries()
    again = as_app.get("/app/hook/deliveries?per_page=1").json()[0]
    assert again["guid"] == oldest["guid"] and again["redelivery"] is True
    assert receiver.received[-1]["body"] == receiver.received[0]["body"]


def test_installation_lifecycle_events(sandbox: SandboxServer, receiver: Receiver) -> None:
    state = sandbox.state
    installation = state.create_installation("mona-contrib", wait=True)
    state.suspend_installation(installation.id)
    state.unsuspend_installation(installation.id)
    state.update_installation_permissions(installation.id, {"checks": "write",
                                                            "metadata": "read"})
    state.delete_installation(installation.id)
    state.wait_for_deliveries()
    assert [d["action"] for d in state.deliveries] == [
        "created", "suspend", "unsuspend", "new_permissions_accepted", "deleted"]


def test_no_webhook_where_github_would_not_send_one(sandbox: SandboxServer,
                                                    receiver: Receiver) -> None:
    state = sandbox.state
    # inventory-service is not in the org installation's selection
    state.open_pull_request("fortify-demo", "inventory-service", "vuln/command-injection")
    org = next(i for i in state.installations.values() if i.account.login == "fortify-demo")
    state.suspend_installation(org.id)
    state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    state.wait_for_deliveries()
    assert [(d["event"], d["action"]) for d in state.deliveries] == [("installation", "suspend")]


def test_check_suite_requested_when_the_installation_subscribes(
        sandbox: SandboxServer, receiver: Receiver) -> None:
    state = sandbox.state
    org = next(i for i in state.installations.values() if i.account.login == "fortify-demo")
    org.events.append("check_suite")
    state.push_commit("fortify-demo", "payments-api", "feature/clean-change", {"x.txt": "x\n"})
    state.wait_for_deliveries()
    payload = json.loads(receiver.received[-1]["body"])
    assert receiver.received[-1]["headers"]["X-Github-Event"] == "check_suite"
    assert payload["action"] == "requested"
    assert payload["check_suite"]["head_branch"] == "feature/clean-change"
    assert payload["check_suite"]["head_commit"]["message"] == "Update files"
