"""`manage.py sandbox`: a development tool that prints how to point Fortify at it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from django.conf import settings

from tests.support.processes import free_port, stop_group, wait_until
from tests.test_foundation import _production_env


def test_sandbox_command_serves_github_and_writes_the_env_lines(tmp_path):
    port, env_file = free_port(), tmp_path / "sandbox.env"
    log = tmp_path / "sandbox.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "sandbox", "--port", str(port), "--env-file",
             str(env_file), "--key-dir", str(tmp_path / "keys")],
            cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        wait_until(lambda: env_file.exists() and env_file.read_text(), timeout=60,
                   what="the env file", log=log)
        lines = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
        assert lines["GITHUB_API_URL"] == f"http://127.0.0.1:{port}"
        assert set(lines) >= {"GITHUB_WEB_URL", "GITHUB_APP_ID", "GITHUB_APP_SLUG",
                              "GITHUB_APP_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET",
                              "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"}
        key_path = Path(lines["GITHUB_APP_PRIVATE_KEY_PATH"])
        assert key_path.parent == tmp_path / "keys", "the key persists in --key-dir"
        assert "-----BEGIN" in key_path.read_text()
        assert requests.get(f"{lines['GITHUB_WEB_URL']}/fortify-demo/payments-api",
                            timeout=5).status_code == 200
        assert "GITHUB_APP_ID=" in log.read_text()
    finally:
        stop_group(process)


def test_sandbox_command_refuses_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "sandbox"], cwd=settings.BASE_DIR,
                            env=_production_env(), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode != 0
    assert "The GitHub sandbox is for development" in result.stderr
