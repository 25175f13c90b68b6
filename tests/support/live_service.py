"""The running service for browser tests: Django over real HTTP on a free 127.0.0.1 port.

A separate process (``manage.py runserver --noreload``) against the test database, with the
GitHub settings of the session sandbox, so the browser, the sandbox and the Celery worker all
meet the same service as people would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.processes import free_port, stop_group, wait_until
from tests.support.worker import BASE_DIR, database_url_for_test_db


@dataclass
class LiveService:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_service(*, extra_env: dict[str, str] | None = None) -> Iterator[LiveService]:
    """Start the web process and wait for ``/health``; stop it (and only it) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DATABASE_URL": database_url_for_test_db(),
        "FORTIFY_PUBLIC_URL": url,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
        prefix="live-service-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload",
         "--skip-checks"],
        cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True)
    service = LiveService(url=url, process=process, log_path=Path(log_file.name))
    try:
        wait_until(lambda: process.poll() is None and requests.get(
            f"{url}/health", timeout=2).status_code in (200, 503),
            timeout=60, what="the live service to answer /health", log=service.log_path)
        yield service
    finally:
        stop_group(process)
