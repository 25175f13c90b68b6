"""README's run command on the embedded defaults: web, worker and, with no GitHub App
configured, the GitHub sandbox — from a pull request to a check run, no database server."""

from __future__ import annotations

import os
import re
import subprocess

import pytest
import requests
from django.conf import settings

from tests.support.processes import free_port, stop_group, wait_until

OPERATOR_TOKEN = "run-command-operator-token"


class Service:
    """``bin/run`` as a developer starts it: stoppable and startable again on the same var/."""

    def __init__(self, tmp_path) -> None:
        port, sandbox_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.sandbox = f"http://127.0.0.1:{sandbox_port}"
        self.var = tmp_path / "var"
        self.log = tmp_path / "run.log"
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("GITHUB_", "DATABASE_URL", "REDIS_URL", "TOKEN_",
                                           "DJANGO_", "WEBHOOK_", "FORTIFY_", "PROMETHEUS_"))}
        self.env.update({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                         "FORTIFY_VAR_DIR": str(self.var), "FORTIFY_PUBLIC_URL": self.url,
                         "METRICS_BEARER_TOKEN": OPERATOR_TOKEN})
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(["bin/run"], cwd=settings.BASE_DIR, env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_until(lambda: requests.get(f"{self.url}/", timeout=2).status_code == 200,
                   timeout=120, what="the landing page", log=self.log)

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None

    def pull_request_verdict(self, repo: str, branch: str) -> str:
        """Open a PR on the sandbox and wait for the conclusion its page shows."""
        opened = requests.post(f"{self.sandbox}/_sandbox/call", timeout=10, json={
            "method": "open_pull_request", "args": ["fortify-demo", repo, branch]})
        assert opened.status_code == 200, opened.text
        pull_page = f"{self.sandbox}/fortify-demo/{repo}/pull/{opened.json()['result']['number']}"
        assert requests.get(pull_page, timeout=5).status_code == 200

        def verdict() -> str | None:
            """The conclusion label the PR page shows on a completed Fortify run."""
            page = requests.get(pull_page, timeout=5).text
            found = re.search(r'Fortify Security Scan\s*<span class="label completed">'
                              r'completed</span>\s*<span class="label (\w+)">', page)
            return found.group(1) if found else None

        return wait_until(verdict, timeout=180, what="Fortify's check run on the PR page",
                          log=self.log)


@pytest.fixture
def service(tmp_path):
    service = Service(tmp_path)
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def running_service(service):
    service.start()
    return {"url": service.url, "sandbox": service.sandbox, "log": service.log,
            "var": service.var, "service": service}


def test_run_command_serves_web_worker_and_sandbox_on_embedded_defaults(running_service):
    url, sandbox, log = running_service["url"], running_service["sandbox"], running_service["log"]
    wait_until(lambda: requests.get(f"{url}/", timeout=2).status_code == 200,
               timeout=120, what="the landing page", log=log)
    assert f"Fortify is running at {url}/" in log.read_text()
    assert f"using the GitHub sandbox at {sandbox}/" in log.read_text()

    landing = requests.get(f"{url}/", timeout=5)
    assert "Every pull request, scanned before it merges" in landing.text
    assert f'href="{sandbox}/apps/' in landing.text, "the install button leads to the sandbox"

    # /health?worker=1 sends a task from the web process and waits for the worker's answer
    # (for operators only: the bearer token).
    health = wait_until(
        lambda: (r := requests.get(f"{url}/health?worker=1", timeout=15, headers={
            "Authorization": f"Bearer {OPERATOR_TOKEN}"})).status_code == 200 and r.json(),
        timeout=90, what="a healthy worker round trip", log=log,
    )
    assert health["components"]["database"]["vendor"] == "sqlite"
    assert health["components"]["broker"]["transport"] == "filesystem"
    assert health["components"]["worker"]["status"] == "healthy"
    assert (running_service["var"] / "fortify.sqlite3").exists()
    assert (running_service["var"] / "token-encryption.key").exists()

    # The sandbox's pages answer, and a pull request opened there gets Fortify's verdict.
    assert requests.get(f"{sandbox}/fortify-demo/web-frontend", timeout=5).status_code == 200
    service = running_service["service"]
    assert service.pull_request_verdict("web-frontend", "vuln/eval-injection") == "failure"

    # Worker-side counts reach the web's /metrics (multiprocess directory under var/).
    metrics = requests.get(f"{url}/metrics", timeout=10).text
    assert 'github_webhook_events_total{event_type="pull_request",status="completed"}' in metrics

    # Stopped and started again with var/ kept: the database remembers the sandbox's ids, the
    # sandbox continues them, and a new pull request gets its verdict.
    service.stop()
    service.start()
    assert service.pull_request_verdict("web-frontend", "vuln/eval-injection") == "failure"
