"""The remote scan agent: ``python -m checks.agent_server`` against the sandbox gives the
built-in agent's results; an agent that fails or hangs gives a run with a reference id and
none of the agent's text."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings

from checks import services
from checks.models import CheckRun, ScanJob
from checks.tasks import run_scan_task
from tests.support.sandbox import check_runs_for, open_pull_request

pytestmark = pytest.mark.django_db

SECRET = "agent-test-secret"
AGENT_TEXT = "AGENT-INTERNAL-DETAIL /srv/agent/rules.yml ghs_notatoken"


@pytest.fixture(scope="module")
def agent_service() -> Iterator[str]:
    """The real agent service in its own process, on a free port of 127.0.0.1."""
    env = {**os.environ, "SCAN_AGENT_SECRET": SECRET, "LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # it needs none of the product's settings
    process = subprocess.Popen(
        [sys.executable, "-m", "checks.agent_server", "--host", "127.0.0.1", "--port", "0"],
        cwd=django_settings.BASE_DIR, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("scan agent listening on "), line
        yield line.split()[-1]
    finally:
        process.terminate()
        process.wait(timeout=20)


def open_pr(sandbox, deliver) -> ScanJob:
    payload = open_pull_request(sandbox, "fortify-demo", "payments-api", "vuln/sql-injection")
    assert deliver("pull_request", payload).status == "completed"
    return ScanJob.objects.get(head_sha=payload["pull_request"]["head"]["sha"])


def second_scan_of(scan: ScanJob) -> ScanJob:
    """Another scan of the same pull request and commit (as an operator would start)."""
    copy = ScanJob.objects.create(
        repository=scan.repository, installation=scan.installation,
        trigger=ScanJob.Trigger.MANUAL, pr_number=scan.pr_number, head_sha=scan.head_sha,
        base_sha=scan.base_sha, head_branch=scan.head_branch, base_branch=scan.base_branch,
        head_repository_full_name=scan.head_repository_full_name, mode=scan.mode,
        failure_threshold=scan.failure_threshold)
    CheckRun.objects.create(scan=copy, head_sha=copy.head_sha)
    return copy


def findings(scan: ScanJob) -> list[tuple]:
    return sorted(scan.findings.values_list(
        "engine", "rule_id", "severity", "title", "description", "path", "start_line",
        "end_line", "snippet", "fingerprint", "auto_fixable", "fix"))


def use_agent(settings, url: str) -> None:
    settings.SCAN_AGENT_URL, settings.SCAN_AGENT_SECRET = url, SECRET
    settings.SCAN_AGENT_POLL_INTERVAL = 0.2


def test_scans_through_the_agent_service_equal_the_builtin_agent(synced, deliver, settings,
                                                                 agent_service):
    builtin = open_pr(synced, deliver)
    services.run_scan(builtin.pk)
    builtin.refresh_from_db()
    use_agent(settings, agent_service)
    remote = second_scan_of(builtin)

    services.run_scan(remote.pk)

    remote.refresh_from_db()
    assert remote.status == builtin.status == ScanJob.Status.COMPLETED
    assert findings(remote) == findings(builtin) and findings(builtin)
    assert (remote.conclusion, remote.files_scanned, remote.counts) == (
        builtin.conclusion, builtin.files_scanned, builtin.counts)
    assert remote.engine_versions == builtin.engine_versions
    runs = {run.external_id: run for run in check_runs_for(
        synced, "fortify-demo", "payments-api", builtin.head_sha)}
    ours, theirs = runs[str(remote.public_id)], runs[str(builtin.public_id)]
    assert (ours.conclusion, ours.output["title"]) == (theirs.conclusion, theirs.output["title"])
    assert ours.annotations == theirs.annotations

    # The agent fetched with a token for this repository only, with contents:read only.
    (minted,) = [r for r in synced.state.requests_to("POST", "/app/installations/*/access_tokens")
                 if r["json"]]
    assert minted["json"] == {"repositories": ["payments-api"],
                              "permissions": {"contents": "read"}}
    agent_calls = [r for r in synced.state.requests
                   if "scan-agent" in r["headers"].get("User-Agent", "")]
    assert agent_calls and {r["status"] for r in agent_calls} == {200}
    assert all("/git/blobs/" in r["path"] for r in agent_calls)
    narrowed = [t for t in synced.state.tokens.values() if t.permissions == {"contents": "read"}]
    assert narrowed and all(t.repository_ids == {builtin.repository.github_id}
                            for t in narrowed)


class FakeAgent(BaseHTTPRequestHandler):
    """An agent that accepts the scan, then reports a failure in its own words."""

    received: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(202 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeAgent.received.append({"body": body, "auth": self.headers.get("Authorization")})
        self._send({"id": body["scan_id"], "status": "running"})

    def do_GET(self) -> None:
        self._send({"id": self.path.rsplit("/", 1)[-1], "status": "failed",
                    "error": {"code": "engine_failed", "message": AGENT_TEXT}})


@pytest.fixture
def failing_agent() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAgent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def hanging_agent() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def assert_failed_with_reference_only(sandbox, scan: ScanJob, agent_url: str) -> None:
    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.FAILED and scan.reference_id
    (run,) = check_runs_for(sandbox, "fortify-demo", "payments-api", scan.head_sha)
    assert run.status == "completed" and run.conclusion == "failure"
    assert f"`{scan.reference_id}`" in run.output["summary"]
    sent = json.dumps([r["json"] for r in sandbox.state.requests if r["json"]])
    for text in ("AGENT-INTERNAL", "/srv/agent", "ghs_notatoken", "engine_failed",
                 "timed out", "scan-agent", agent_url.split("//")[1]):
        assert text not in sent


def test_a_failing_agent_gives_a_run_with_a_reference_and_no_agent_text(
        synced, deliver, settings, failing_agent):
    use_agent(settings, failing_agent)
    scan = open_pr(synced, deliver)

    run_scan_task.apply(args=[scan.pk])

    assert_failed_with_reference_only(synced, scan, failing_agent)
    (received,) = FakeAgent.received[-1:]
    assert received["auth"] == f"Bearer {SECRET}"
    token = synced.state.tokens[received["body"]["token"]]
    assert token.permissions == {"contents": "read"}
    assert token.repository_ids == {scan.repository.github_id}


def test_a_hanging_agent_gives_a_run_with_a_reference(synced, deliver, settings,
                                                      hanging_agent):
    use_agent(settings, hanging_agent)
    settings.SCAN_AGENT_HTTP_TIMEOUT, settings.SCAN_TIMEOUT_SECONDS = 0.5, 2
    settings.SCAN_MAX_RETRIES = 0
    scan = open_pr(synced, deliver)

    run_scan_task.apply(args=[scan.pk])

    assert_failed_with_reference_only(synced, scan, hanging_agent)
