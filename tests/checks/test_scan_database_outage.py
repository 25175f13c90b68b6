"""The database goes away in the middle of a scan run by a real worker: the scan's tasks
retry and carry on as soon as the database answers, so the pull request's check run
completes within seconds of the outage, not after the ten-minute lease or the sweeper."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from checks import services
from checks.models import ScanJob
from installations.sync import sync_installations
from tests.support.database_outage import database_outage
from tests.support.processes import wait_until
from tests.support.sandbox import completed_runs_of, open_pull_request

OWNER, REPO = "fortify-demo", "payments-api"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def scan_through_an_outage(sandbox, worker, branch: str, method: str, path: str,
                           *, during=None) -> tuple[ScanJob, list, str]:
    """Open a PR from ``branch`` and let the worker scan it. Its ``method`` ``path`` request
    to GitHub is held; once it arrives the database is taken away, the request answered, and
    3 s later the database given back (``during(scan)`` runs just before that). Returns the
    scan, its runs once completed, and what the worker logged meanwhile."""
    assert settings.SCAN_LEASE_SECONDS >= 600
    sync_installations()
    faults = sandbox.state.faults
    held = faults.add(method, path, "slow", delay=120)
    log_start = len(worker.log_path.read_text())
    try:
        scan = services.scan_pull_request(open_pull_request(sandbox, OWNER, REPO, branch))
        assert scan is not None
        wait_until(lambda: held.fired, timeout=120, what=f"the scan's {method} {path}",
                   log=worker.log_path)
        with database_outage():
            faults.clear()  # GitHub answers: the task's next query meets the outage
            time.sleep(3)
            if during is not None:
                during(scan)
        runs = wait_until(lambda: completed_runs_of(sandbox, scan), timeout=180,
                          what="the run to complete", log=worker.log_path)
    finally:
        faults.clear()
    scan.refresh_from_db()
    return scan, runs, worker.log_path.read_text()[log_start:]


def test_a_database_outage_mid_scan_is_resumed_by_the_tasks_retry_not_the_lease(
        celery_worker, worker_github_settings):
    def still_claimed(scan):
        during = ScanJob.objects.get(pk=scan.pk)
        assert during.status == ScanJob.Status.RUNNING and during.attempts == 1

    # The scan's request for the pull request's files is held until the outage has begun.
    scan, runs, log = scan_through_an_outage(
        worker_github_settings, celery_worker, "vuln/sql-injection",
        "GET", f"/repos/{OWNER}/{REPO}/pulls/*/files", during=still_claimed)

    assert len(runs) == 1
    assert runs[0].conclusion == "failure"  # the branch has vulnerable lines
    assert scan.status == ScanJob.Status.COMPLETED
    assert scan.attempts == 2, "the retry resumed its own claim; nobody took it over"
    assert "mid-scan; retrying" in log


def test_a_database_outage_while_the_run_is_created_retries_and_leaves_one_run(
        celery_worker, worker_github_settings):
    """The outage hits between GitHub creating the ``in_progress`` run and the worker saving
    its id: the task retries (``ScanTask.autoretry_for``), finds the run it created by its
    external id instead of creating a second, and the scan goes on to its verdict."""
    scan, runs, log = scan_through_an_outage(
        worker_github_settings, celery_worker, "feature/clean-change",
        "POST", f"/repos/{OWNER}/{REPO}/check-runs")

    assert len(runs) == 1, "one run: the retry found the one GitHub had created"
    assert scan.status == ScanJob.Status.COMPLETED
    assert "Task checks.start_check_run[" in log and "retry: Retry in" in log, \
        "the run's creation met the outage and was retried"
