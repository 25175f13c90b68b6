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


@pytest.fixture
def running_service(tmp_path):
    port, sandbox_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DATABASE_URL", "REDIS_URL", "TOKEN_",
                                  "DJANGO_", "WEBHOOK_", "FORTIFY_"))}
    env.update({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                "FORTIFY_VAR_DIR": str(tmp_path / "var"),
                "FORTIFY_PUBLIC_URL": f"http://127.0.0.1:{port}"})
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bin/run"], cwd=settings.BASE_DIR, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "sandbox": f"http://127.0.0.1:{sandbox_port}",
               "log": log, "var": tmp_path / "var"}
    finally:
        stop_group(process)


def test_run_command_serves_web_worker_and_sandbox_on_embedded_defaults(running_service):
    url, sandbox, log = running_service["url"], running_service["sandbox"], running_service["log"]
    wait_until(lambda: requests.get(f"{url}/", timeout=2).status_code == 200,
               timeout=120, what="the landing page", log=log)
    assert f"Fortify is running at {url}/" in log.read_text()
    assert f"using the GitHub sandbox at {sandbox}/" in log.read_text()

    landing = requests.get(f"{url}/", timeout=5)
    assert "Every pull request, scanned before it merges" in landing.text
    assert f'href="{sandbox}/apps/' in landing.text, "the install button leads to the sandbox"

    # /health?worker=1 sends a task from the web process and waits for the worker's answer.
    health = wait_until(
        lambda: (r := requests.get(f"{url}/health?worker=1", timeout=15)).status_code == 200
        and r.json(),
        timeout=90, what="a healthy worker round trip", log=log,
    )
    assert health["components"]["database"]["vendor"] == "sqlite"
    assert health["components"]["broker"]["transport"] == "filesystem"
    assert health["components"]["worker"]["status"] == "healthy"
    assert (running_service["var"] / "fortify.sqlite3").exists()
    assert (running_service["var"] / "token-encryption.key").exists()

    # The sandbox's pages answer, and a pull request opened there gets Fortify's verdict.
    assert requests.get(f"{sandbox}/fortify-demo/web-frontend", timeout=5).status_code == 200
    opened = requests.post(f"{sandbox}/_sandbox/call", timeout=10, json={
        "method": "open_pull_request",
        "args": ["fortify-demo", "web-frontend", "vuln/eval-injection"]})
    assert opened.status_code == 200, opened.text
    number = opened.json()["result"]["number"]
    pull_page = f"{sandbox}/fortify-demo/web-frontend/pull/{number}"
    assert requests.get(pull_page, timeout=5).status_code == 200

    def verdict() -> str | None:
        """The conclusion label the PR page shows on a completed Fortify run."""
        page = requests.get(pull_page, timeout=5).text
        found = re.search(r'Fortify Security Scan\s*<span class="label completed">completed'
                          r'</span>\s*<span class="label (\w+)">', page)
        return found.group(1) if found else None

    assert wait_until(verdict, timeout=180, what="Fortify's check run on the PR page",
                      log=log) == "failure"
