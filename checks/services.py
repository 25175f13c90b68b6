"""Pull request scans: from the webhook to a completed check run.

The check run is created ``in_progress`` as soon as the pull request event is handled, so
people see Fortify at work within a second; the scan itself runs in its own task. Every step
is idempotent (conditional status updates, ``external_id`` on the check run, a count of the
annotations already sent), so a retried task resumes instead of repeating work.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from checks import reporting
from checks.agent import (
    BuiltinScanAgent,
    ScanAgent,
    ScanCancelled,
    ScanMode,
    ScanRequest,
    ScanResult,
)
from checks.engines import BanditEngine, DetectSecretsEngine, SemgrepEngine
from checks.fetch import GitHubFetcher
from checks.finding_rows import finding_row, scan_findings
from checks.findings import Finding as FindingData
from checks.findings import Severity
from checks.models import CheckRun, Finding, ScanJob
from installations import services as installation_services
from installations.models import Repository
from installations.permissions import installation_allows

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]

TERMINAL = {ScanJob.Status.COMPLETED, ScanJob.Status.FAILED, ScanJob.Status.CANCELLED,
            ScanJob.Status.SUPERSEDED}


def scan_url(scan: ScanJob) -> str:
    return f"{settings.FORTIFY_PUBLIC_URL}/scans/{scan.public_id}"


def _client(scan: ScanJob):
    from fortify_github.github import installation_client

    return installation_client(scan.installation.installation_id)


# --- trigger ------------------------------------------------------------------------------

def scan_pull_request(payload: Json, *, delivery: str = "") -> ScanJob | None:
    """Queue a scan of the PR's head commit, supersede older ones, show the run at once."""
    pull = payload["pull_request"]
    installation = installation_services.installation_for_event(payload["installation"]["id"])
    repository = installation_services.repository_for_event(installation, payload["repository"])
    if not Repository.objects.scannable().filter(pk=repository.pk).exists():
        logger.info("%s is not scanned (disabled, archived or uninstalled)", repository)
        return None
    if not installation_allows(installation, "report"):
        return None
    head_sha = pull["head"]["sha"]
    updated_at = parse_datetime(pull.get("updated_at") or "")
    if updated_at is not None and ScanJob.objects.filter(
            repository=repository, pr_number=pull["number"],
            pr_updated_at__gt=updated_at).exclude(head_sha=head_sha).exists():
        logger.info("%s #%s: event for %s is older than one already scanned; ignored",
                    repository, pull["number"], head_sha[:7])
        return None
    with transaction.atomic():
        scan = (ScanJob.objects.select_for_update()
                .filter(repository=repository, pr_number=pull["number"], head_sha=head_sha)
                .exclude(status__in=[ScanJob.Status.CANCELLED, ScanJob.Status.SUPERSEDED,
                                     ScanJob.Status.FAILED])
                .first())
        if scan is None:
            scan = ScanJob.objects.create(
                repository=repository, installation=installation,
                trigger=ScanJob.Trigger.PULL_REQUEST, trigger_delivery=delivery,
                pr_number=pull["number"], head_sha=head_sha, base_sha=pull["base"]["sha"],
                head_branch=pull["head"]["ref"], base_branch=pull["base"]["ref"],
                head_repository_full_name=(pull["head"].get("repo") or {}).get("full_name", ""),
                pr_updated_at=updated_at,
                mode=repository.scan_mode, failure_threshold=repository.failure_threshold,
            )
            CheckRun.objects.create(scan=scan, head_sha=head_sha)
        older = list(ScanJob.objects.unfinished()
                     .filter(repository=repository, pr_number=pull["number"])
                     .exclude(pk=scan.pk))
        ScanJob.objects.filter(pk__in=[old.pk for old in older]).unfinished().update(
            status=ScanJob.Status.SUPERSEDED, superseded_by=scan, finished_at=timezone.now())
    start_check_run(scan)
    for old in older:
        # After commit: were this transaction rolled back, the old runs must stay as they are.
        transaction.on_commit(partial(
            complete_cancelled, old, "Superseded by a newer commit",
            f"Commit {head_sha[:7]} replaced this one; its scan reports instead."))
    if scan.status == ScanJob.Status.QUEUED:
        from checks.tasks import run_scan_task

        transaction.on_commit(lambda: run_scan_task.delay(scan.pk))
    return scan


def cancel_pull_request_scans(payload: Json) -> int:
    """A closed PR needs no verdict: stop its unfinished scans and close their runs."""
    repository = Repository.objects.filter(github_id=payload["repository"]["id"]).first()
    if repository is None:
        return 0
    scans = list(ScanJob.objects.unfinished().filter(
        repository=repository, pr_number=payload["pull_request"]["number"]))
    ScanJob.objects.filter(pk__in=[scan.pk for scan in scans]).unfinished().update(
        status=ScanJob.Status.CANCELLED, finished_at=timezone.now())
    for scan in scans:
        complete_cancelled(scan, "Scan cancelled", "The pull request was closed.")
    return len(scans)


def start_check_run(scan: ScanJob) -> None:
    """Create the ``in_progress`` check run (once: GitHub is asked by ``external_id``)."""
    check_run = scan.check_run
    if check_run.github_id:
        return
    repository = scan.repository
    created = _client(scan).create_check_run(
        repository.owner, repository.name, name=reporting.CHECK_NAME, head_sha=scan.head_sha,
        external_id=str(scan.public_id), status="in_progress", details_url=scan_url(scan),
        output=reporting.in_progress_output(), started_at=timezone.now().isoformat(),
    )
    check_run.github_id = created["id"]
    check_run.html_url = created.get("html_url") or ""
    check_run.status = CheckRun.Status.IN_PROGRESS
    check_run.started_at = timezone.now()
    check_run.title = reporting.in_progress_output()["title"]
    check_run.save()


def complete_cancelled(scan: ScanJob, title: str, summary: str) -> None:
    complete_run_or_retry_later(scan, conclusion="cancelled",
                                output={"title": title, "summary": summary})


def complete_run_or_retry_later(scan: ScanJob, *, conclusion: str,
                                output: reporting.CheckRunOutput,
                                actions: list[reporting.CheckRunAction] | None = None) -> None:
    """Complete the run now; if GitHub fails, a retrying task does it, so no run is left
    ``in_progress`` because one request failed."""
    from fortify_github.github.errors import GitHubError

    try:
        complete_run(scan, conclusion=conclusion, output=output, actions=actions)
    except GitHubError as error:
        from checks.tasks import complete_check_run_task

        logger.warning("completing the run of scan %s failed (%s); retrying in a task",
                       scan.pk, type(error).__name__)
        complete_check_run_task.apply_async(
            args=[scan.pk], kwargs={"conclusion": conclusion, "output": dict(output),
                                    "actions": actions}, countdown=30)


def complete_run(scan: ScanJob, *, conclusion: str, output: reporting.CheckRunOutput,
                 actions: list[reporting.CheckRunAction] | None = None,
                 check_run: CheckRun | None = None) -> None:
    """Complete the scan's check run once (a completed run is left as it is)."""
    check_run = check_run or CheckRun.objects.filter(scan=scan).first()
    if check_run is None or not check_run.github_id or \
            check_run.status == CheckRun.Status.COMPLETED:
        return
    repository = scan.repository
    _client(scan).update_check_run(
        repository.owner, repository.name, check_run.github_id, status="completed",
        conclusion=conclusion, completed_at=timezone.now().isoformat(), output=output,
        **({"actions": actions} if actions is not None else {}))
    check_run.annotations_sent += len(output.get("annotations", []))
    check_run.status = CheckRun.Status.COMPLETED
    check_run.conclusion = conclusion
    check_run.title = output["title"]
    check_run.completed_at = timezone.now()
    check_run.save()


# --- scanning -----------------------------------------------------------------------------

def scan_agent_for(scan: ScanJob, fetcher: GitHubFetcher) -> ScanAgent:
    """The built-in agent; a remote one (``SCAN_AGENT_URL``) will plug in here."""
    engines = [DetectSecretsEngine(), BanditEngine(python=settings.SCAN_BANDIT_PYTHON),
               SemgrepEngine(rules_dir=Path(settings.SCAN_SEMGREP_RULES_DIR))]
    return BuiltinScanAgent(fetcher, engines=engines, cancelled=lambda: not _still_running(scan))


def _still_running(scan: ScanJob) -> bool:
    return ScanJob.objects.filter(pk=scan.pk, status=ScanJob.Status.RUNNING).exists()


def _claim(scan_pk: int) -> ScanJob | None:
    """Move a queued scan to running; a scan already running (a retried task) continues."""
    updated = ScanJob.objects.filter(pk=scan_pk, status=ScanJob.Status.QUEUED).update(
        status=ScanJob.Status.RUNNING, started_at=timezone.now())
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    if updated or scan.status == ScanJob.Status.RUNNING:
        return scan
    return None


def run_scan(scan_pk: int) -> ScanJob:
    """Scan, store the findings, report. Transient errors propagate so the task retries."""
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    if scan.status == ScanJob.Status.COMPLETED:
        report_scan(scan)  # scanned before a failed report: only the report is left
        return scan
    scan = _claim(scan_pk)
    if scan is None:
        return ScanJob.objects.get(pk=scan_pk)
    ScanJob.objects.filter(pk=scan.pk).update(attempts=scan.attempts + 1)
    if scan.attempts + 1 > settings.SCAN_MAX_RETRIES + 1:
        # Redelivered again and again (a worker killed mid-scan each time): stop trying.
        fail_scan(scan.pk, reason="The scan never finished: its worker was lost.")
        return ScanJob.objects.get(pk=scan.pk)
    if not installation_allows(scan.installation, "read_code"):
        message = scan.installation.permission_warnings["read_code"]["message"]
        fail_scan(scan.pk, reason="The App lacks contents:read.", conclusion="action_required",
                  output={"title": "Fortify needs permission to read the code",
                          "summary": message})
        return ScanJob.objects.get(pk=scan.pk)
    repository = scan.repository
    fetcher = GitHubFetcher(_client(scan), repository.owner, repository.name)
    mode = ScanMode(scan.mode)
    changed_files = (tuple(fetcher.changed_files(scan.pr_number, scan.base_sha, scan.head_sha))
                     if mode == ScanMode.PR_DIFF and scan.pr_number else ())
    request = ScanRequest(
        mode=mode, changed_files=changed_files, threshold=Severity(scan.failure_threshold),
        excluded=tuple(repository.excluded_paths), timeout=settings.SCAN_TIMEOUT_SECONDS,
        repository=repository.full_name, head_sha=scan.head_sha, base_sha=scan.base_sha,
        installation_id=scan.installation.installation_id, pull_number=scan.pr_number,
    )
    try:
        result = scan_agent_for(scan, fetcher).scan(request)
    except ScanCancelled:
        logger.info("scan %s stopped: superseded or cancelled while running", scan.pk)
        return ScanJob.objects.get(pk=scan.pk)
    if not _store_result(scan, result):
        logger.info("scan %s was superseded or cancelled while running", scan.pk)
        return ScanJob.objects.get(pk=scan.pk)
    scan.refresh_from_db()
    report_scan(scan)
    return scan


def _store_result(scan: ScanJob, result: ScanResult) -> bool:
    """Save findings and counts, unless the scan was superseded meanwhile (atomic claim)."""
    counts = {severity.value: 0 for severity in Severity}
    for finding in result.findings:
        counts[finding.severity.value] += 1
    finished = timezone.now()
    with transaction.atomic():
        updated = ScanJob.objects.filter(pk=scan.pk, status=ScanJob.Status.RUNNING).update(
            status=ScanJob.Status.COMPLETED,
            conclusion=reporting.conclusion_for(result.severities,
                                                Severity(scan.failure_threshold)),
            engine_versions=dict(result.engine_versions),
            files_scanned=len(result.files_scanned),
            critical_count=counts["CRITICAL"], high_count=counts["HIGH"],
            medium_count=counts["MEDIUM"], low_count=counts["LOW"], info_count=counts["INFO"],
            finished_at=finished, duration_ms=int(result.duration_seconds * 1000),
        )
        if not updated:
            return False
        Finding.objects.bulk_create([finding_row(scan, finding) for finding in result.findings])
    return True


def _findings_data(scan: ScanJob) -> list[FindingData]:
    return scan_findings(scan)


def report_scan(scan: ScanJob) -> None:
    """Complete the check run: annotations in batches of 50, then the verdict and actions.

    ``annotations_sent`` is saved after every batch, so a retry resumes where it stopped
    (GitHub appends annotations; re-sending a batch would duplicate it).
    """
    check_run = CheckRun.objects.filter(scan=scan).first()
    if check_run is None or check_run.status == CheckRun.Status.COMPLETED:
        return
    if not check_run.github_id:
        start_check_run(scan)
        check_run.refresh_from_db()
    findings = _findings_data(scan)
    output = reporting.build_output(reporting.SummaryFacts(
        findings=findings, files_scanned=scan.files_scanned,
        duration_seconds=(scan.duration_ms or 0) / 1000, scan_url=scan_url(scan),
        threshold=Severity(scan.failure_threshold),
        diff_only=scan.mode == ScanJob.Mode.PR_DIFF))
    client, repository = _client(scan), scan.repository
    if check_run.annotations_sent or scan.attempts > 1:
        # A retry: GitHub's count is the truth (a batch whose answer was lost was applied).
        current = client.get_check_run(repository.owner, repository.name, check_run.github_id)
        check_run.annotations_sent = current["output"]["annotations_count"]
    remaining = reporting.annotations_for(findings)[check_run.annotations_sent:]
    outputs = reporting.outputs_with_annotations(output, remaining)
    for batch_output in outputs[:-1]:
        client.update_check_run(repository.owner, repository.name, check_run.github_id,
                                output=batch_output)
        check_run.annotations_sent += len(batch_output.get("annotations", []))
        check_run.save(update_fields=["annotations_sent", "updated_at"])
    auto_fixable = sum(1 for finding in findings if finding.auto_fixable)
    complete_run(scan, conclusion=scan.conclusion, output=outputs[-1],
                 actions=reporting.actions_for(auto_fixable), check_run=check_run)


def new_reference() -> str:
    return uuid.uuid4().hex[:12]


def fail_scan(scan_pk: int, *, reason: str, reference: str | None = None,
              conclusion: str = "failure",
              output: reporting.CheckRunOutput | None = None) -> None:
    """The scan finally failed: say so on the check run with a reference, never the error.

    ``output`` replaces the generic failure text only for messages written for people (a
    missing permission), never for an exception.
    """
    reference = reference or new_reference()
    updated = ScanJob.objects.filter(pk=scan_pk).exclude(status__in=TERMINAL - {
        ScanJob.Status.COMPLETED}).update(
        status=ScanJob.Status.FAILED, conclusion=conclusion, failure_reason=reason[:255],
        reference_id=reference, finished_at=timezone.now())
    if not updated:
        return
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    rerun = [action for action in reporting.actions_for(0)
             if action["identifier"] == reporting.ACTION_RERUN_SCAN]
    complete_run_or_retry_later(scan, conclusion=conclusion,
                                output=output or reporting.failure_output(reference),
                                actions=rerun)


# --- free scan ----------------------------------------------------------------------------

def free_scan(repository: Repository) -> ScanJob:
    """Scan the default branch in ``full`` mode and keep the findings; no check run."""
    from checks.tasks import run_scan_task
    from fortify_github.github import installation_client

    client = installation_client(repository.installation.installation_id)
    branch = client.get_branch(repository.owner, repository.name, repository.default_branch)
    scan = ScanJob.objects.create(
        repository=repository, installation=repository.installation,
        trigger=ScanJob.Trigger.FREE_SCAN, head_sha=branch["commit"]["sha"],
        head_branch=repository.default_branch, mode=ScanJob.Mode.FULL,
        failure_threshold=repository.failure_threshold)
    transaction.on_commit(lambda: run_scan_task.delay(scan.pk))
    return scan
