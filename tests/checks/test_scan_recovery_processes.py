"""Real processes: a scan whose broker message was lost, then a worker SIGKILLed mid-scan.

`celery beat` (DatabaseScheduler on PostgreSQL) runs the sweeper; the worker that took the
scan is killed with its whole process group, as a container kill would; a second worker
cleans up after it and resumes the scan after the lease. The run completes, and no scanner
process or scratch folder of the dead worker survives.

Its processes use a queue of their own, so the session's worker never competes for the scan.
"""

from __future__ import annotations

import os
import signal
import uuid

import pytest

from checks import services
from checks.models import ScanJob
from checks.tasks import start_check_run_task
from installations.sync import sync_installations
from tests.support.processes import command_line, descendants, is_running, wait_until
from tests.support.sandbox import completed_runs_of, open_pull_request
from tests.support.worker import start_beat, start_worker

OWNER, REPO, BRANCH = "fortify-demo", "payments-api", "vuln/sql-injection"
SCANNERS = ("semgrep", "bandit", "detect-secrets", "detect_secrets")


def scanner_processes(worker_pid: int) -> list[int]:
    return [pid for pid in descendants(worker_pid)
            if any(name in command_line(pid) for name in SCANNERS)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_lost_message_and_sigkilled_worker_still_end_in_a_completed_run(
        worker_github_settings, tmp_path, monkeypatch):
    sandbox = worker_github_settings
    sync_installations()
    scratch = tmp_path / "scratch"
    env = {**sandbox.env(), "SCAN_TEMP_DIR": str(scratch), "SCAN_LEASE_SECONDS": "20",
           "SCAN_REQUEUE_AFTER": "1", "SCAN_SWEEP_INTERVAL": "1",
           # Only the sweeper matters here; the other periodic jobs stay out of the way.
           "WEBHOOK_REQUEUE_INTERVAL": "3600", "WEBHOOK_REDELIVER_INTERVAL": "3600",
           "CELERY_TASK_DEFAULT_QUEUE": f"recovery-{uuid.uuid4().hex[:8]}"}
    payload = open_pull_request(sandbox, OWNER, REPO, BRANCH)
    # The broker loses the handler's message: it is never published.
    monkeypatch.setattr(start_check_run_task, "delay", lambda *args, **kwargs: None)
    scan = services.scan_pull_request(payload)
    assert scan is not None and scan.status == ScanJob.Status.QUEUED

    processes = [start_worker(extra_env=env, own_session=True, purge=False)]
    processes.append(start_beat(extra_env=env))
    try:
        first = processes[0]
        scanners = wait_until(lambda: scanner_processes(first.process.pid), timeout=180,
                              what="a scanner running under the first worker",
                              log=first.log_path)
        pool = {int(folder.name) for folder in scratch.iterdir() if folder.name.isdigit()}
        everything = scanners + descendants(first.process.pid)
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        assert ScanJob.objects.get(pk=scan.pk).status == ScanJob.Status.RUNNING

        second = start_worker(extra_env=env, own_session=True, purge=False)
        processes.append(second)
        wait_until(lambda: not any(is_running(pid) for pid in everything), timeout=30,
                   what="every process of the killed worker, scanners included, to be gone")
        wait_until(lambda: not any((scratch / str(pid)).exists() for pid in pool),
                   timeout=30, what="the dead worker's scratch folders to be removed")

        runs = wait_until(lambda: completed_runs_of(sandbox, scan), timeout=240,
                          what="the run to complete", log=second.log_path)
        assert len(runs) == 1
        assert runs[0].conclusion == "failure"  # the branch has vulnerable lines
        scan.refresh_from_db()
        assert scan.status == ScanJob.Status.COMPLETED and scan.attempts >= 2
    finally:
        for process in reversed(processes):
            process.stop()
