"""The embedded default (``bin/run``: SQLite, file-system broker, database cache): GitHub
hanging holds no database lock, and GitHub failing opens the shared circuit breaker (its
state is written by tasks outside any transaction, so nothing rolls it back)."""

from __future__ import annotations

import os
import subprocess

import pytest
import requests
from django.conf import settings

from tests.support.hang import (
    OWNER,
    add_fault,
    assert_a_hanging_create_blocks_nothing,
    clear_faults,
    open_fresh_pull_request,
)
from tests.support.processes import free_port, stop_group, wait_until

OPERATOR_TOKEN = "embedded-operator-token"


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """``bin/run`` on the embedded defaults, with its own sandbox; each GitHub failure is
    counted once (no client-side retries) so five failures mean five requests."""
    tmp = tmp_path_factory.mktemp("embedded")
    port, sandbox_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DATABASE_URL", "REDIS_URL", "TOKEN_",
                                  "DJANGO_", "WEBHOOK_", "FORTIFY_", "SCAN_"))}
    env.update({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                "FORTIFY_VAR_DIR": str(tmp / "var"), "SCAN_TEMP_DIR": str(tmp / "scratch"),
                "FORTIFY_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "GITHUB_RETRY_MAX_ATTEMPTS": "1", "GITHUB_CIRCUIT_FAIL_MAX": "5",
                "GITHUB_CIRCUIT_RESET_SECONDS": "600", "SCAN_MAX_RETRIES": "0",
                # The worker round trip is for operators only: they bring the bearer token.
                "METRICS_BEARER_TOKEN": OPERATOR_TOKEN})
    log = tmp / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bin/run"], cwd=settings.BASE_DIR, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: requests.get(
            f"{url}/health?worker=1", timeout=15,
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}).status_code == 200,
            timeout=180, what="bin/run's web and worker", log=log)
        yield {"url": url, "sandbox": f"http://127.0.0.1:{sandbox_port}", "log": log}
    finally:
        stop_group(process)


def test_a_hanging_check_run_create_blocks_nothing_on_sqlite(embedded):
    health = requests.get(f"{embedded['url']}/health", timeout=10).json()
    assert health["components"]["database"]["vendor"] == "sqlite"
    assert_a_hanging_create_blocks_nothing(embedded["sandbox"], log=embedded["log"])


def test_five_failures_open_the_circuit_breaker_in_the_embedded_setup(embedded):
    sandbox, url = embedded["sandbox"], embedded["url"]
    repo = "web-frontend"
    add_fault(sandbox, method="*", path_pattern=f"/repos/{OWNER}/{repo}/*",
              kind="server_error", times=1000, status=502)
    try:
        # Five PRs on five branches: no scan supersedes another (new commits on one PR
        # would, and a superseded scan never reaches GitHub), so each one fails its create.
        for _ in range(5):
            open_fresh_pull_request(sandbox, repo)

        def circuit() -> str:
            return requests.get(f"{url}/health", timeout=10).json()[
                "components"]["github_circuit"]["state"]

        assert wait_until(lambda: circuit() == "open", timeout=120,
                          what="the circuit breaker to open", log=embedded["log"])
        health = requests.get(f"{url}/health", timeout=10)
        assert health.json()["components"]["github_circuit"]["status"] == "degraded"
    finally:
        clear_faults(sandbox)
