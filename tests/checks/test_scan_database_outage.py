"""The database goes away in the middle of a scan run by a real worker: the scan's task
retries and takes its own claim back as soon as the database answers, so the pull request's
check run completes within seconds of the outage, not after the ten-minute lease."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from checks import services
from checks.models import ScanJob
from installations.sync import sync_installations
from tests.support.database_outage import database_outage
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for, open_pull_request

OWNER, REPO, BRANCH = "fortify-demo", "payments-api", "vuln/sql-injection"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_mid_scan_is_resumed_by_the_tasks_retry_not_the_lease(
        celery_worker, worker_github_settings):
    sandbox = worker_github_settings
    assert settings.SCAN_LEASE_SECONDS >= 600
    sync_installations()
    faults = sandbox.state.faults
    # The scan's request for the pull request's files is held until the outage has begun.
    held = faults.add("GET", f"/repos/{OWNER}/{REPO}/pulls/*/files", "slow", delay=120)
    try:
        payload = open_pull_request(sandbox, OWNER, REPO, BRANCH)
        scan = services.scan_pull_request(payload)
        assert scan is not None
        wait_until(lambda: held.fired, timeout=120, what="the scan to ask for the files",
                   log=celery_worker.log_path)
        with database_outage():
            faults.clear()  # the answer arrives: the scan's next query meets the outage
            time.sleep(3)
            during = ScanJob.objects.get(pk=scan.pk)
            assert during.status == ScanJob.Status.RUNNING and during.attempts == 1

        def completed():
            runs = [run for run in check_runs_for(sandbox, OWNER, REPO, scan.head_sha)
                    if run.external_id == str(scan.public_id)]
            return runs if runs and runs[0].status == "completed" else None

        runs = wait_until(completed, timeout=180, what="the run to complete",
                          log=celery_worker.log_path)
    finally:
        faults.clear()
    assert len(runs) == 1
    assert runs[0].conclusion == "failure"  # the branch has vulnerable lines
    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.COMPLETED
    assert scan.attempts == 2, "the retry resumed its own claim; nobody took it over"
    assert "mid-scan; retrying" in celery_worker.log_path.read_text()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_database_outage_while_the_run_is_created_retries_and_leaves_one_run(
        celery_worker, worker_github_settings):
    """The outage hits between GitHub creating the ``in_progress`` run and the worker saving
    its id: the task retries (``ScanTask.autoretry_for``), finds the run it created by its
    external id instead of creating a second, and the scan goes on to its verdict."""
    sandbox = worker_github_settings
    sync_installations()
    faults = sandbox.state.faults
    held = faults.add("POST", f"/repos/{OWNER}/{REPO}/check-runs", "slow", delay=120)
    try:
        log_start = len(celery_worker.log_path.read_text())
        payload = open_pull_request(sandbox, OWNER, REPO, "feature/clean-change")
        scan = services.scan_pull_request(payload)
        assert scan is not None
        wait_until(lambda: held.fired, timeout=120, what="the run's creation",
                   log=celery_worker.log_path)
        with database_outage():
            faults.clear()  # GitHub creates the run; saving its id meets the outage
            time.sleep(3)

        def completed():
            runs = [run for run in check_runs_for(sandbox, OWNER, REPO, scan.head_sha)
                    if run.external_id == str(scan.public_id)]
            return runs if runs and runs[0].status == "completed" else None

        runs = wait_until(completed, timeout=180, what="the run to complete",
                          log=celery_worker.log_path)
    finally:
        faults.clear()
    assert len(runs) == 1, "one run: the retry found the one GitHub had created"
    scan.refresh_from_db()
    assert scan.status == ScanJob.Status.COMPLETED
    log = celery_worker.log_path.read_text()[log_start:]
    assert "Task checks.start_check_run[" in log and "retry: Retry in" in log, \
        "the run's creation met the outage and was retried"
