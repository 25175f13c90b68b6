"""PostgreSQL restarted while pull requests are being processed: nothing is lost, no run is
duplicated, no run is left in progress.

Everything runs as real processes on servers of its own (a throwaway PostgreSQL cluster and
Redis, never the shared ones): the web process, a worker with beat (requeue every second,
redelivery every few seconds) and the GitHub sandbox sending signed webhooks. One pull
request is mid-scan when the database goes down; another is opened while it is down, so its
delivery is refused with a 503 and must come back through redelivery.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

from github_sandbox.server import SandboxServer
from tests.support.processes import free_port, stop_group, wait_until
from tests.support.servers import PostgresServer, RedisServer

pytestmark = pytest.mark.worker

FINISHED = {"completed", "ignored"}


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture
def stack():
    directory = Path(tempfile.mkdtemp(prefix="fault-postgres-"))
    postgres = PostgresServer(directory).init()
    redis_server = RedisServer(directory)
    redis_server.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    sandbox = SandboxServer().start()
    sandbox.app.webhook_url = f"{url}/api/webhooks/github"
    env = {
        **os.environ, **sandbox.env(),
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DATABASE_URL": postgres.url, "REDIS_URL": redis_server.url,
        "FORTIFY_VAR_DIR": str(directory), "FORTIFY_PUBLIC_URL": url,
        "WEBHOOK_PENDING_REQUEUE_AFTER": "1", "WEBHOOK_REQUEUE_INTERVAL": "1",
        "WEBHOOK_REDELIVER_INTERVAL": "3",
        # Claims keep their ten-minute leases: work the outage interrupted is resumed by its
        # own task's retry (fortify_github.claims), not taken over once a lease expires.
        "WEBHOOK_PROCESSING_LEASE": "600", "SCAN_LEASE_SECONDS": "600",
        "SCAN_REQUEUE_AFTER": "1", "SCAN_SWEEP_INTERVAL": "1",
        "CELERY_TASK_DEFAULT_QUEUE": f"fault-{uuid.uuid4().hex[:8]}",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=settings.BASE_DIR,
                   env=env, check=True)
    subprocess.run([*manage, "sync_installations"], cwd=settings.BASE_DIR, env=env,
                   check=True, capture_output=True)
    web_log, worker_log = directory / "web.log", directory / "worker.log"
    processes = [
        _spawn([*manage, "runserver", f"127.0.0.1:{port}", "--noreload"], env, web_log),
        _spawn([sys.executable, "-m", "celery", "-A", "fortify_github", "worker", "-B",
                "--loglevel=INFO", "--concurrency=2", "--without-gossip", "--without-mingle",
                "-n", f"fault-{uuid.uuid4().hex[:8]}@%h"], env, worker_log),
    ]
    try:
        wait_until(lambda: requests.get(url + "/health", timeout=2).status_code == 200,
                   timeout=60, what="the web process", log=web_log)
        yield postgres, sandbox, worker_log
    finally:
        for process in processes:
            stop_group(process)
        sandbox.stop()
        redis_server.stop()
        postgres.destroy()


def _runs(sandbox: SandboxServer, head_sha: str) -> list:
    with sandbox.state.lock:
        return [run for run in sandbox.state.check_runs.values() if run.head_sha == head_sha]


def _events(postgres: PostgresServer) -> list[tuple[str, str, str, str]]:
    with psycopg.connect(postgres.url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute("SELECT delivery_id, event, status, status_reason || last_error "
                            "FROM webhooks_webhookevent").fetchall()


def test_a_postgres_restart_mid_processing_loses_nothing_and_strands_no_run(stack):
    postgres, sandbox, worker_log = stack
    state = sandbox.state

    scanning = state.open_pull_request("fortify-demo", "payments-api", "vuln/sql-injection")
    head = scanning["head"]["sha"]
    wait_until(lambda: _runs(sandbox, head), timeout=60, what="the first in-progress run",
               log=worker_log)

    postgres.stop("fast")  # mid-scan: the scan's next database write fails
    refused = state.open_pull_request("fortify-demo", "web-frontend", "vuln/eval-injection",
                                      wait=True)
    refused_head = refused["head"]["sha"]
    attempts = [d for d in state.deliveries if d.event == "pull_request"
                and d.repository_id == refused["base"]["repo"]["id"]]
    assert attempts and all(d.status_code == 503 for d in attempts), \
        "the receiver refuses what it cannot store, so GitHub keeps it for redelivery"
    time.sleep(2)
    restarted = time.monotonic()
    postgres.start()

    def settled() -> bool:
        runs = _runs(sandbox, head) + _runs(sandbox, refused_head)
        return (len(_runs(sandbox, refused_head)) >= 1
                and all(run.status == "completed" for run in runs))

    try:
        wait_until(settled, timeout=240, what="both pull requests to get a completed run",
                   log=worker_log)
    except AssertionError as error:
        runs = [(r.head_sha[:7], r.status, r.conclusion) for r in state.check_runs.values()]
        raise AssertionError(f"{error}\nruns: {runs}\nevents: {_events(postgres)}") from None
    recovery = time.monotonic() - restarted
    print(f"recovered {recovery:.1f} s after PostgreSQL came back")

    for sha in (head, refused_head):
        runs = _runs(sandbox, sha)
        assert len(runs) == 1, f"exactly one run on {sha[:7]}, got {len(runs)}"
        assert runs[0].conclusion, "completed with a conclusion"
    # The run's own check_run webhook is sent as it completes, so it may still be on its
    # way through the receiver and the worker: give it the time a redelivery would take.
    wait_until(lambda: not [e for e in _events(postgres) if e[2] in ("pending", "processing")],
               timeout=60, what="every stored event to be processed", log=worker_log)
    events = _events(postgres)
    assert events, "the deliveries were stored"
    for delivery, event, status, reason in events:
        assert status in FINISHED or (status == "failed" and reason), \
            f"{event} {delivery} ended {status} without a reason"
    assert not [e for e in events if e[2] in ("pending", "processing")]
