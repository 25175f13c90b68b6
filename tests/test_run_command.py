"""README's run command on the embedded defaults: web and worker, no database server."""

from __future__ import annotations

import os
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
                                  "DJANGO_"))}
    env.update({"PORT": str(port), "SANDBOX_PORT": str(sandbox_port),
                "FORTIFY_VAR_DIR": str(tmp_path / "var")})
    log = tmp_path / "run.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bin/run"], cwd=settings.BASE_DIR, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield {"url": f"http://127.0.0.1:{port}", "sandbox_port": sandbox_port, "log": log,
               "var": tmp_path / "var"}
    finally:
        stop_group(process)


def test_run_command_serves_web_and_worker_on_embedded_defaults(running_service):
    url, log = running_service["url"], running_service["log"]
    wait_until(lambda: requests.get(f"{url}/", timeout=2).status_code == 200,
               timeout=120, what="the landing page", log=log)
    assert f"Fortify is running at {url}/" in log.read_text()

    landing = requests.get(f"{url}/", timeout=5)
    assert "Every pull request, scanned before it merges" in landing.text

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
