"""Starting and stopping a real Celery worker process for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def database_url_for_test_db() -> str:
    """A DATABASE_URL naming the test database pytest-django created (not the base one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def purge_broker() -> None:
    """Drop messages left by an earlier, interrupted run so they don't reach this worker."""
    from fortify_github.celery import app

    app.control.purge()


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_worker(*, extra_env: dict[str, str] | None = None, ready_timeout: float = 60.0,
                 concurrency: int = 2, own_session: bool = False,
                 purge: bool = True) -> WorkerProcess:
    """Start ``celery -A fortify_github worker`` and wait until it answers a ping task.

    ``own_session`` puts it in a process group of its own, so a test can kill the whole
    worker at once as a container kill would (``os.killpg``).
    """
    from fortify_github.tasks import ping

    if purge:
        purge_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DATABASE_URL": database_url_for_test_db(),
        **(extra_env or {}),
    }
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
        prefix="celery-worker-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fortify_github", "worker",
         "--loglevel=INFO", f"--concurrency={concurrency}", "--without-gossip",
         "--without-mingle", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
        cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=own_session,
    )
    worker = WorkerProcess(process=process, log_path=Path(log_file.name))
    deadline = time.monotonic() + ready_timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{worker.log()[-4000:]}")
        try:
            # To the queue this worker reads (its own, when the test gave it one).
            ping.apply_async(args=["ready"], expires=5,
                             queue=env.get("CELERY_TASK_DEFAULT_QUEUE") or None).get(timeout=2)
            return worker
        except Exception as error:
            if time.monotonic() > deadline:
                worker.stop()
                raise RuntimeError(
                    f"Celery worker never became ready:\n{worker.log()[-4000:]}"
                ) from error


def start_beat(*, extra_env: dict[str, str] | None = None) -> WorkerProcess:
    """Start ``celery -A fortify_github beat`` (the settings' DatabaseScheduler) on the test
    database; returns once it is running (it has no ping: tests watch what it schedules)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DATABASE_URL": database_url_for_test_db(),
        **(extra_env or {}),
    }
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the process
        prefix="celery-beat-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fortify_github", "beat", "--loglevel=INFO"],
        cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT,
    )
    return WorkerProcess(process=process, log_path=Path(log_file.name))
