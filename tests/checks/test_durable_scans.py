"""No check run stays in progress: idempotent creation, the sweeper's deadline, completion
retried for as long as GitHub is down, a claim taken over after its lease.

The scan's steps run in this process against the sandbox, so each one can be observed; the
worker and beat processes are exercised in ``test_scan_recovery_processes``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from checks import services
from checks.models import CheckRun, ScanJob
from checks.reporting import TIMED_OUT_TITLE
from checks.tasks import finish_check_run_task
from installations.sync import sync_installations
from tests.support.sandbox import check_runs_for, open_pull_request

pytestmark = pytest.mark.django_db

OWNER, REPO, BRANCH = "fortify-demo", "payments-api", "vuln/sql-injection"


@pytest.fixture
def org(synced):
    sync_installations()
    return synced


def scan_of(payload) -> ScanJob:
    return ScanJob.objects.get(repository__github_id=payload["repository"]["id"],
                               head_sha=payload["pull_request"]["head"]["sha"])


def test_a_lost_create_answer_then_a_502_lookup_leaves_one_run_that_completes(
        org, deliver, settings):
    settings.GITHUB_HTTP_READ_TIMEOUT = 1
    settings.GITHUB_RETRY_BACKOFF_BASE = 0.1
    faults = org.state.faults
    # GitHub applies the create, but its answer arrives after the client gave up; the
    # client's lookup by external_id then meets a 502 once.
    faults.add("POST", f"/repos/{OWNER}/{REPO}/check-runs", "drop", times=1, delay=2)
    faults.add("GET", f"/repos/{OWNER}/{REPO}/commits/*/check-runs", "server_error", times=2,
               status=502)
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    assert deliver("pull_request", payload).status == "completed"
    scan = scan_of(payload)

    services.run_scan(scan.pk)

    runs = check_runs_for(org, OWNER, REPO, scan.head_sha)
    assert len(runs) == 1, "exactly one run on the commit"
    assert (runs[0].status, runs[0].conclusion) == ("completed", "failure")
    scan.check_run.refresh_from_db()
    assert scan.check_run.github_id == runs[0].id


def test_a_run_past_the_deadline_is_completed_timed_out_with_a_reference(
        org, deliver, settings):
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    deliver("pull_request", payload)
    scan = scan_of(payload)
    (run,) = check_runs_for(org, OWNER, REPO, scan.head_sha)
    assert run.status == "in_progress"

    settings.SCAN_DEADLINE_SECONDS = 3600
    assert services.scans_sweep().timed_out == []
    report = services.scans_sweep(now=timezone.now() + timedelta(hours=2))

    assert report.timed_out == [scan.pk]
    scan.refresh_from_db()
    assert (scan.status, scan.conclusion) == (ScanJob.Status.FAILED, "timed_out")
    assert (run.status, run.conclusion) == ("completed", "timed_out")
    assert run.output["title"] == TIMED_OUT_TITLE
    assert f"`{scan.reference_id}`" in run.output["summary"]
    assert [action["identifier"] for action in run.actions] == ["rerun_scan"]


def test_completing_keeps_retrying_while_github_is_down(org, deliver, settings):
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1
    settings.GITHUB_CIRCUIT_FAIL_MAX = 100
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    deliver("pull_request", payload)
    scan = scan_of(payload)
    ScanJob.objects.filter(pk=scan.pk).update(status=ScanJob.Status.CANCELLED)
    # More failures than any one attempt's own retries: the task outlasts the outage.
    org.state.faults.add("PATCH", f"/repos/{OWNER}/{REPO}/check-runs/*", "server_error",
                         times=6, status=503)

    assert finish_check_run_task.apply(args=[scan.pk]).get() == "completed"

    (run,) = check_runs_for(org, OWNER, REPO, scan.head_sha)
    assert (run.status, run.conclusion) == ("completed", "cancelled")
    assert CheckRun.objects.get(scan=scan).status == CheckRun.Status.COMPLETED


def test_completing_stops_once_github_has_given_the_run_up(org, deliver, settings):
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1
    settings.GITHUB_CIRCUIT_FAIL_MAX = 100
    settings.CHECK_RUN_LIFETIME_SECONDS = 0
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    deliver("pull_request", payload)
    scan = scan_of(payload)
    ScanJob.objects.filter(pk=scan.pk).update(status=ScanJob.Status.CANCELLED)
    org.state.faults.add("PATCH", f"/repos/{OWNER}/{REPO}/check-runs/*", "server_error",
                         times=1, status=503)

    assert finish_check_run_task.apply(args=[scan.pk]).get() == "gave up"


def test_a_running_scan_is_taken_over_only_after_its_lease(org, deliver, settings):
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    deliver("pull_request", payload)
    scan = scan_of(payload)
    settings.SCAN_LEASE_SECONDS = 600
    assert services._claim(scan.pk) is not None
    assert services._claim(scan.pk) is None, "a live worker's scan is not taken over"
    assert services.scans_sweep().resumed == []

    ScanJob.objects.filter(pk=scan.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert services.scans_sweep().resumed == [scan.pk]
    taken = services._claim(scan.pk)
    assert taken is not None and taken.attempts == 2


def test_a_queued_scan_whose_message_was_lost_is_sent_again(org, deliver, settings):
    settings.SCAN_REQUEUE_AFTER = 60
    payload = open_pull_request(org, OWNER, REPO, BRANCH)
    deliver("pull_request", payload)
    scan = scan_of(payload)
    assert services.scans_sweep().requeued == []

    report = services.scans_sweep(now=timezone.now() + timedelta(seconds=120))

    assert report.requeued == [scan.pk]
    scan.refresh_from_db()
    assert scan.next_attempt_at > timezone.now() - timedelta(seconds=5)
