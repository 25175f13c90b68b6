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
