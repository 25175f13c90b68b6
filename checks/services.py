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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from checks import metrics, queue, repo_config, reporting, write_budget
from checks.agent import (
    BuiltinScanAgent,
    ScanAgent,
    ScanCancelled,
    ScanMode,
    ScanRequest,
    ScanResult,
)
from checks.engines import BanditEngine, DetectSecretsEngine, Engine, SemgrepEngine
from checks.fetch import GitHubFetcher
from checks.finding_rows import finding_row, scan_findings
from checks.findings import Finding as FindingData
from checks.findings import Severity
from checks.integrity import unscanned_from
from checks.models import CheckRun, Finding, ScanJob
from fortify_github.claims import claim_held
from installations import services as installation_services
from installations.models import Repository
from installations.permissions import installation_allows
from installations.plans import scan_permitted

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]

TERMINAL = {ScanJob.Status.COMPLETED, ScanJob.Status.FAILED, ScanJob.Status.CANCELLED,
            ScanJob.Status.SUPERSEDED}


def scan_url(scan: ScanJob) -> str:
    return f"{settings.FORTIFY_PUBLIC_URL}/scans/{scan.public_id}"


def _client(scan: ScanJob):
    from fortify_github.github import installation_client, user_client

    if scan.installation is None and scan.requested_by is not None:
        # A free scan of a repository the App is not installed on: read it as the person
        # who asked, so GitHub decides what they may scan.
        from accounts.services import user_access_token

        token = user_access_token(scan.requested_by)
        if token is None:
            raise NoReader("The requester must sign in again.")
        return user_client(token)
    if scan.installation is None:
        raise NoReader("The App is not installed on the repository.")
    return installation_client(scan.installation.installation_id)


class NoReader(Exception):
    """Nobody left whose token may read the repository (a free scan's requester signed out
    of GitHub's grant)."""


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
    if not scan_permitted(repository, pull["number"]):
        logger.info("%s #%s: beyond the account's plan limit on private repositories; "
                    "not scanned", repository, pull["number"])
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
                next_attempt_at=timezone.now(),
            )
            CheckRun.objects.create(scan=scan, head_sha=head_sha)
        older = list(ScanJob.objects.unfinished()
                     .filter(repository=repository, pr_number=pull["number"])
                     .exclude(pk=scan.pk))
        ScanJob.objects.filter(pk__in=[old.pk for old in older]).unfinished().update(
            status=ScanJob.Status.SUPERSEDED, superseded_by=scan, finished_at=timezone.now())
    # GitHub is called from tasks, after commit: never while this transaction holds locks.
    for old in older:
        queue.check_run_finish_on_commit(old.pk)
    if scan.status == ScanJob.Status.QUEUED:
        queue.check_run_start_on_commit(scan.pk)
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
        queue.check_run_finish_on_commit(scan.pk)
    return len(scans)


def check_run_start(scan_pk: int) -> None:
    """The task's step: create the ``in_progress`` run of a scan still waiting to report."""
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    if scan.status in (ScanJob.Status.QUEUED, ScanJob.Status.RUNNING):
        start_check_run(scan)


def start_check_run(scan: ScanJob) -> None:
    """Create the ``in_progress`` check run (once: GitHub is asked by ``external_id``)."""
    check_run = scan.check_run
    if check_run.github_id:
        return
    repository = scan.repository
    _count_write(scan, required=True)
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
    with transaction.atomic():
        # Ids are unique within one GitHub, not across GitHubs (a GitHub Enterprise restored
        # from backup, a restarted sandbox): the run GitHub just created is the one that
        # counts, and a row still holding its id speaks of a run that GitHub forgot.
        CheckRun.objects.filter(github_id=check_run.github_id).exclude(
            pk=check_run.pk).update(github_id=None)
        check_run.save()
    metrics.observe_scan_triggered(scan.trigger_delivery)


def check_run_finish(scan_pk: int) -> None:
    """Complete the scan's run as its row says; the one way a finished scan reaches GitHub.

    Re-reads the row, so a late or repeated task reports what is true now.
    """
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    if scan.status == ScanJob.Status.COMPLETED:
        report_scan(scan, resumed=True)
        return
    if scan.status not in TERMINAL:
        return
    conclusion, output, actions = _unscanned_verdict(scan)
    complete_run(scan, conclusion=conclusion, output=output, actions=actions)


def _unscanned_verdict(scan: ScanJob) -> tuple[str, reporting.CheckRunOutput,
                                                list[reporting.CheckRunAction] | None]:
    """What a run says when its scan ended without results (never an error's text)."""
    if scan.status == ScanJob.Status.SUPERSEDED:
        head = scan.superseded_by.head_sha[:7] if scan.superseded_by else "a newer commit"
        return "cancelled", {"title": "Superseded by a newer commit",
                             "summary": f"Commit {head} replaced this one; its scan reports "
                                        "instead."}, None
    if scan.status == ScanJob.Status.CANCELLED:
        return "cancelled", {"title": "Scan cancelled",
                             "summary": "The pull request was closed."}, None
    rerun = [action for action in reporting.actions_for(0)
             if action["identifier"] == reporting.ACTION_RERUN_SCAN]
    if scan.conclusion == "action_required" and scan.installation is not None:
        warning = (scan.installation.permission_warnings or {}).get("read_code") or {}
        return "action_required", {
            "title": "Fortify needs permission to read the code",
            "summary": warning.get("message") or "The App lacks contents:read."}, rerun
    if scan.conclusion == "timed_out":
        return "timed_out", reporting.timed_out_output(scan.reference_id), rerun
    return "failure", reporting.failure_output(scan.reference_id), rerun


def check_run_finish_now_or_later(scan_pk: int) -> None:
    """From a task (never a handler): complete the run now; if GitHub fails, the retrying
    task does it, so no run stays ``in_progress`` because one request failed."""
    from fortify_github.github.errors import GitHubError

    try:
        check_run_finish(scan_pk)
    except GitHubError as error:
        logger.warning("completing the run of scan %s failed (%s); retrying in a task",
                       scan_pk, type(error).__name__)
        queue.check_run_finish_enqueue(scan_pk, countdown=getattr(error, "retry_after", None)
                                       or 5)


def check_run_retry_allowed(scan_pk: int, countdown: float) -> bool:
    """Completing may be retried until GitHub itself gives the run up as ``stale``."""
    check_run = CheckRun.objects.filter(scan_id=scan_pk).first()
    if check_run is None or check_run.status == CheckRun.Status.COMPLETED:
        return False
    lifetime = timedelta(seconds=settings.CHECK_RUN_LIFETIME_SECONDS)
    if timezone.now() + timedelta(seconds=countdown) > check_run.created_at + lifetime:
        return False
    CheckRun.objects.filter(pk=check_run.pk).update(
        next_attempt_at=timezone.now() + timedelta(seconds=countdown))
    return True


def complete_run(scan: ScanJob, *, conclusion: str, output: reporting.CheckRunOutput,
                 actions: list[reporting.CheckRunAction] | None = None,
                 check_run: CheckRun | None = None) -> None:
    """Complete the scan's check run once (a completed run is left as it is)."""
    check_run = check_run or CheckRun.objects.filter(scan=scan).first()
    if check_run is None or not check_run.github_id or \
            check_run.status == CheckRun.Status.COMPLETED:
        return
    repository = scan.repository
    _count_write(scan, required=True)
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

def scan_engines() -> list[Engine]:
    return [DetectSecretsEngine(), BanditEngine(python=settings.SCAN_BANDIT_PYTHON),
            SemgrepEngine(rules_dir=Path(settings.SCAN_SEMGREP_RULES_DIR))]


def scan_agent_for(scan: ScanJob, fetcher: GitHubFetcher) -> ScanAgent:
    """The remote agent when ``SCAN_AGENT_URL`` is set, else the built-in engines."""
    if settings.SCAN_AGENT_URL:
        from checks.remote_agent import remote_agent_for

        return remote_agent_for(scan, cancelled=lambda: not _still_running(scan))
    return BuiltinScanAgent(fetcher, engines=scan_engines(),
                            cancelled=lambda: not _still_running(scan))


def _count_write(scan: ScanJob, *, required: bool = False) -> bool:
    """Take one of the PR's share of the installation's writes (``checks.write_budget``)."""
    installation = scan.installation
    if installation is None:
        return True
    return write_budget.take(installation.installation_id, scan.repository_id, scan.pr_number,
                             required=required)


def _still_running(scan: ScanJob) -> bool:
    """Asked before each engine job: is the scan still ours to run? Renews the lease if so (a
    heartbeat), so a long scan of a live worker is not taken over."""
    return bool(ScanJob.objects.filter(pk=scan.pk, status=ScanJob.Status.RUNNING).update(
        lease_expires_at=timezone.now() + timedelta(seconds=settings.SCAN_LEASE_SECONDS)))


def _claim(scan_pk: int, *, resume: uuid.UUID | None = None) -> ScanJob | None:
    """Take a queued scan, or a running one whose worker's lease expired (the worker died),
    or the running one whose claim ``resume`` names (a database failure interrupted it, see
    ``fortify_github.claims``).

    One conditional UPDATE decides between racing workers; the lease outlives the task's
    hard time limit, so a live worker's scan is never taken over.
    """
    now = timezone.now()
    # A resumed claim keeps its token: if this UPDATE's outcome is lost too, the next
    # retry still names whichever token the row holds.
    token = resume or uuid.uuid4()
    claimable = (Q(status=ScanJob.Status.QUEUED)
                 | Q(status=ScanJob.Status.RUNNING, lease_expires_at__lt=now)
                 | Q(status=ScanJob.Status.RUNNING, lease_expires_at__isnull=True))
    if resume is not None:
        claimable |= Q(status=ScanJob.Status.RUNNING, claim_token=resume)
    with claim_held(token):
        updated = ScanJob.objects.filter(pk=scan_pk).filter(claimable).update(
            status=ScanJob.Status.RUNNING, started_at=now, attempts=F("attempts") + 1,
            claim_token=token,
            lease_expires_at=now + timedelta(seconds=settings.SCAN_LEASE_SECONDS))
        if not updated:
            return None
        return ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)


def scan_is_completed(scan_pk: int) -> bool:
    return ScanJob.objects.filter(pk=scan_pk, status=ScanJob.Status.COMPLETED).exists()


def scan_release(scan_pk: int, *, retry_in: float) -> None:
    """A retrying task gives its claim back: the scan is queued again, due in ``retry_in``."""
    ScanJob.objects.filter(pk=scan_pk, status=ScanJob.Status.RUNNING).update(
        status=ScanJob.Status.QUEUED, lease_expires_at=None,
        next_attempt_at=timezone.now() + timedelta(seconds=retry_in))


def run_scan(scan_pk: int, *, resume_claim: uuid.UUID | None = None) -> ScanJob:
    """Scan, store the findings, report. Transient errors propagate so the task retries; a
    database error once the scan is claimed raises ``ClaimInterrupted``, whose token the
    retry passes back as ``resume_claim``."""
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    if scan.status == ScanJob.Status.COMPLETED:
        report_scan(scan, resumed=True)  # scanned before a failed report: only it is left
        return scan
    scan = _claim(scan_pk, resume=resume_claim)
    if scan is None:
        return ScanJob.objects.get(pk=scan_pk)
    with claim_held(scan.claim_token):
        return _run_claimed(scan)


def _run_claimed(scan: ScanJob) -> ScanJob:
    """The scan, once this worker holds its claim."""
    if scan.attempts > settings.SCAN_MAX_RETRIES + 1:
        # Redelivered again and again (a worker killed mid-scan each time): stop trying.
        fail_scan(scan.pk, reason="The scan never finished: its worker was lost.")
        return ScanJob.objects.get(pk=scan.pk)
    if scan.installation is not None and not installation_allows(scan.installation,
                                                                   "read_code"):
        fail_scan(scan.pk, reason="The App lacks contents:read.", conclusion="action_required")
        return ScanJob.objects.get(pk=scan.pk)
    repository = scan.repository
    try:
        client = _client(scan)
    except NoReader as error:
        fail_scan(scan.pk, reason=str(error))
        return ScanJob.objects.get(pk=scan.pk)
    engines = scan_engines()
    fetcher = GitHubFetcher(
        client, repository.owner, repository.name,
        wanted=lambda path: any(engine.applies_to(path) for engine in engines),
        source_expected=lambda path: any(engine.applies_to(path) for engine in engines
                                         if engine.name != DetectSecretsEngine.name),
        cancelled=lambda: not _still_running(scan),
        tarball_min_files=settings.SCAN_TARBALL_MIN_FILES,
        tarball_max_kb_per_file=settings.SCAN_TARBALL_MAX_KB_PER_FILE,
        tarball_max_files_per_file=settings.SCAN_TARBALL_MAX_FILES_PER_FILE,
        repository_size_kb=repository.size_kb, repository_files=repository.file_count)
    mode = ScanMode(scan.mode)
    changed_files = (tuple(fetcher.changed_files(scan.pr_number, scan.base_sha, scan.head_sha))
                     if mode == ScanMode.PR_DIFF and scan.pr_number else ())
    config = _repo_config(scan, fetcher, [changed.path for changed in changed_files])
    request = ScanRequest(
        mode=mode, changed_files=changed_files, threshold=config.failure_threshold,
        excluded=config.exclude, timeout=settings.SCAN_TIMEOUT_SECONDS,
        repository=repository.full_name, head_sha=scan.head_sha, base_sha=scan.base_sha,
        installation_id=scan.installation.installation_id if scan.installation else None,
        pull_number=scan.pr_number,
        disabled_rules=config.disable_rules, suppressions=config.suppressions,
    )
    try:
        result = scan_agent_for(scan, fetcher).scan(request)
    except ScanCancelled:
        logger.info("scan %s stopped: superseded or cancelled while running", scan.pk)
        return ScanJob.objects.get(pk=scan.pk)
    installation_services.repository_files_seen(repository, fetcher.archive_files)
    if not _store_result(scan, result, config):
        logger.info("scan %s was superseded or cancelled while running", scan.pk)
        return ScanJob.objects.get(pk=scan.pk)
    scan.refresh_from_db()
    report_scan(scan)
    return scan


def _repo_config(scan: ScanJob, fetcher: GitHubFetcher,
                 changed_paths: list[str]) -> repo_config.RepoConfig:
    """``.fortify.yml`` from the PR's base commit (a full scan's own commit) over the
    repository's settings; never from the PR's head."""
    repository = scan.repository
    defaults = repo_config.RepoConfig(failure_threshold=Severity(scan.failure_threshold),
                                      exclude=tuple(repository.excluded_paths))
    ref = scan.base_sha if scan.pr_number and scan.base_sha else scan.head_sha
    fetcher.before_request()
    return repo_config.load(fetcher.client, repository.owner, repository.name, ref, defaults,
                            changed_paths)


def _store_result(scan: ScanJob, result: ScanResult,
                  config: repo_config.RepoConfig | None = None) -> bool:
    """Save findings and counts, unless the scan was superseded meanwhile (atomic claim)."""
    config = config or repo_config.RepoConfig(failure_threshold=Severity(scan.failure_threshold))
    counts = {severity.value: 0 for severity in Severity}
    for finding in result.findings:
        counts[finding.severity.value] += 1
    finished = timezone.now()
    with transaction.atomic():
        updated = ScanJob.objects.filter(pk=scan.pk, status=ScanJob.Status.RUNNING).update(
            status=ScanJob.Status.COMPLETED,
            conclusion=reporting.conclusion_for(
                result.severities, config.failure_threshold,
                unscanned=len(result.unscanned), unscanned_conclusion=config.unscanned_files),
            failure_threshold=config.failure_threshold.value,
            unscanned_files=[item.as_dict() for item in result.unscanned],
            suppressions=[item.as_dict() for item in result.suppressed],
            repo_config=config.as_dict(),
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


def report_scan(scan: ScanJob, *, resumed: bool = False) -> None:
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
    CheckRun.objects.filter(pk=check_run.pk).update(
        report_attempts=F("report_attempts") + 1)
    check_run.refresh_from_db(fields=["report_attempts"])
    findings = _findings_data(scan)
    config = repo_config.RepoConfig.from_dict(scan.repo_config or {})
    annotations = reporting.annotations_for(findings, config.max_annotations)
    client, repository = _client(scan), scan.repository
    if (resumed or check_run.annotations_sent or scan.attempts > 1
            or check_run.report_attempts > 1):
        # A retry: GitHub's count is the truth (a batch whose answer was lost was applied).
        current = client.get_check_run(repository.owner, repository.name, check_run.github_id)
        check_run.annotations_sent = current["output"]["annotations_count"]
        if current.get("status") == "completed":
            _record_completed(check_run, current)
            return
    # Batches beyond the PR's share of the installation's writes are not sent (the summary
    # says so); the first batch rides on the request that completes the run.
    kept: list[list[reporting.Annotation]] = []
    for batch in reporting.batches(annotations[check_run.annotations_sent:]):
        if kept and not _count_write(scan):
            break
        kept.append(batch)
    shown = check_run.annotations_sent + sum(len(batch) for batch in kept)
    output = reporting.build_output(_summary_facts(scan, findings, config, shown))
    outputs = reporting.outputs_with_annotations(
        output, [annotation for batch in kept for annotation in batch])
    for batch_output in outputs[:-1]:
        if _superseded(scan):  # stop before the next request, not only between engine jobs
            complete_run(scan, conclusion="cancelled", check_run=check_run,
                         output={"title": "Superseded by a newer commit",
                                 "summary": "A newer commit of this pull request is being "
                                            "scanned; it reports instead."})
            return
        client.update_check_run(repository.owner, repository.name, check_run.github_id,
                                output=batch_output)
        check_run.annotations_sent += len(batch_output.get("annotations", []))
        check_run.save(update_fields=["annotations_sent", "updated_at"])
    auto_fixable = sum(1 for finding in findings if finding.auto_fixable)
    from checks.fixes.policy import can_commit_fixes

    complete_run(scan, conclusion=scan.conclusion, output=outputs[-1],
                 actions=reporting.actions_for(auto_fixable,
                                               can_commit=can_commit_fixes(scan)),
                 check_run=check_run)


def _summary_facts(scan: ScanJob, findings: list[FindingData],
                   config: repo_config.RepoConfig, shown: int) -> reporting.SummaryFacts:
    return reporting.SummaryFacts(
        findings=findings, files_scanned=scan.files_scanned,
        duration_seconds=(scan.duration_ms or 0) / 1000, scan_url=scan_url(scan),
        threshold=Severity(scan.failure_threshold),
        diff_only=scan.mode == ScanMode.PR_DIFF,
        unscanned=unscanned_from(scan.unscanned_files or []),
        suppressed=scan.suppressions or [], config_source=config.source,
        config_error=config.error, config_notes=config.notes,
        annotations_shown=shown,
        annotation_groups=len(reporting.annotation_groups(findings)))


def _superseded(scan: ScanJob) -> bool:
    """A newer commit of the same PR is being scanned: this run's report is wasted work."""
    return scan.pr_number is not None and ScanJob.objects.filter(
        repository_id=scan.repository_id, pr_number=scan.pr_number,
        queued_at__gt=scan.queued_at).exclude(head_sha=scan.head_sha).exists()


def _record_completed(check_run: CheckRun, current: Json) -> None:
    """GitHub already completed the run (our completing request's answer was lost)."""
    check_run.status = CheckRun.Status.COMPLETED
    check_run.conclusion = current.get("conclusion") or ""
    check_run.title = ((current.get("output") or {}).get("title") or "")[:255]
    check_run.completed_at = timezone.now()
    check_run.save()


def new_reference() -> str:
    return uuid.uuid4().hex[:12]


def fail_scan(scan_pk: int, *, reason: str, reference: str | None = None,
              conclusion: str = "failure") -> None:
    """The scan finally failed: say so on the check run with a reference, never the error.

    ``conclusion`` picks the text (``_unscanned_verdict``): written for people, never an
    exception's.
    """
    reference = reference or new_reference()
    updated = ScanJob.objects.filter(pk=scan_pk).exclude(status__in=TERMINAL - {
        ScanJob.Status.COMPLETED}).update(
        status=ScanJob.Status.FAILED, conclusion=conclusion, failure_reason=reason[:255],
        reference_id=reference, finished_at=timezone.now())
    if not updated:
        return
    check_run_finish_now_or_later(scan_pk)


# --- free scan ----------------------------------------------------------------------------

def free_scan(repository: Repository, *, requested_by=None, head_sha: str = "") -> ScanJob:
    """Scan the default branch in ``full`` mode and keep the findings; no check run.

    With ``requested_by`` and no active installation on the repository, the code is read
    with that user's token; ``head_sha`` (already looked up by the caller) saves a call.
    """
    from checks.tasks import run_scan_task

    installation = repository.installation
    if installation is not None and not (installation.is_active and repository.is_installed):
        installation = None
    if not head_sha:
        from fortify_github.github import installation_client

        if installation is None:
            raise ValueError("a free scan without an installation needs the head_sha")
        client = installation_client(installation.installation_id)
        branch = client.get_branch(repository.owner, repository.name,
                                   repository.default_branch)
        head_sha = branch["commit"]["sha"]
    scan = ScanJob.objects.create(
        repository=repository, installation=installation, requested_by=requested_by,
        trigger=ScanJob.Trigger.FREE_SCAN, head_sha=head_sha,
        head_branch=repository.default_branch, mode=ScanMode.FULL,
        failure_threshold=repository.failure_threshold)
    transaction.on_commit(lambda: run_scan_task.delay(scan.pk))
    return scan


# --- the sweeper --------------------------------------------------------------------------

@dataclass
class SweepReport:
    """What one sweep did, by scan primary key."""

    timed_out: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    resumed: list[int] = field(default_factory=list)
    completions: list[int] = field(default_factory=list)


def scans_sweep(*, now: datetime | None = None) -> SweepReport:
    """The scans' outbox, run periodically: nothing is left ``in_progress`` for good.

    Queued scans whose message was lost are sent again; running scans whose worker's lease
    expired are resumed by another worker; scans past ``SCAN_DEADLINE_SECONDS`` end
    ``timed_out``; finished scans whose run was never completed on GitHub are completed.
    """
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.SCAN_REQUEUE_AFTER)
    report = SweepReport()
    late = ScanJob.objects.unfinished().filter(
        queued_at__lt=now - timedelta(seconds=settings.SCAN_DEADLINE_SECONDS))
    for scan_pk in late.values_list("pk", flat=True):
        reference = new_reference()
        logger.error("scan %s passed its deadline; completing its run as timed_out "
                     "(reference %s)", scan_pk, reference)
        fail_scan(scan_pk, reason="The scan did not finish before its deadline.",
                  reference=reference, conclusion="timed_out")
        report.timed_out.append(scan_pk)
    lost = ScanJob.objects.filter(status=ScanJob.Status.QUEUED).filter(
        Q(next_attempt_at__lt=overdue) | Q(next_attempt_at__isnull=True, queued_at__lt=overdue))
    for scan in lost.select_related("check_run"):
        check_run = getattr(scan, "check_run", None)
        if check_run is not None and not check_run.github_id:
            queue.check_run_start_enqueue(scan.pk)
        else:
            queue.scan_enqueue(scan.pk)
        report.requeued.append(scan.pk)
    orphaned = ScanJob.objects.filter(status=ScanJob.Status.RUNNING).filter(
        Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True, started_at__lt=overdue))
    for scan_pk in orphaned.values_list("pk", flat=True):
        logger.warning("scan %s: its worker's lease expired; resuming it", scan_pk)
        queue.scan_enqueue(scan_pk)
        report.resumed.append(scan_pk)
    unreported = (CheckRun.objects.filter(scan__status__in=TERMINAL)
                  .exclude(status=CheckRun.Status.COMPLETED)
                  .filter(Q(github_id__isnull=False) | Q(scan__status=ScanJob.Status.COMPLETED))
                  .filter(Q(next_attempt_at__lt=overdue)
                          | Q(next_attempt_at__isnull=True, updated_at__lt=overdue)))
    for scan_pk in unreported.values_list("scan_id", flat=True):
        queue.check_run_finish_enqueue(scan_pk)
        report.completions.append(scan_pk)
    return report


# --- operator actions ----------------------------------------------------------------------

class ScanStillRunning(Exception):
    """A re-run was asked for a pull request whose scan has not finished yet."""


def scan_rerun(scan: ScanJob) -> ScanJob:
    """An operator's re-run: a new scan of the same commit, with its own check run.

    Refused while a scan of the same pull request (or commit) is unfinished: that one will
    report. The new run is created and scanned by a task (GitHub is never called here).
    """
    unfinished = ScanJob.objects.unfinished().filter(repository=scan.repository)
    same = (unfinished.filter(pr_number=scan.pr_number) if scan.pr_number
            else unfinished.filter(head_sha=scan.head_sha))
    if same.exists():
        raise ScanStillRunning(str(scan.public_id))
    with transaction.atomic():
        rerun = ScanJob.objects.create(
            repository=scan.repository, installation=scan.installation,
            trigger=ScanJob.Trigger.MANUAL, pr_number=scan.pr_number, head_sha=scan.head_sha,
            base_sha=scan.base_sha, head_branch=scan.head_branch,
            base_branch=scan.base_branch,
            head_repository_full_name=scan.head_repository_full_name,
            pr_updated_at=scan.pr_updated_at, mode=scan.repository.scan_mode,
            failure_threshold=scan.repository.failure_threshold)
        CheckRun.objects.create(scan=rerun, head_sha=scan.head_sha)
        queue.check_run_start_on_commit(rerun.pk)
    return rerun
