"""Scans of pull requests (and free repository scans), their findings, and their check runs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fortify_github.scanning import ScanMode, Severity
from installations.models import Installation, Repository


class ScanJobQuerySet(models.QuerySet):
    def unfinished(self) -> ScanJobQuerySet:
        return self.filter(status__in=[ScanJob.Status.QUEUED, ScanJob.Status.RUNNING])


class ScanJob(models.Model):
    """One scan: of a pull request's head commit, or of a repository's default branch."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        SUPERSEDED = "superseded", "Superseded by a newer commit"

    class Trigger(models.TextChoices):
        PULL_REQUEST = "pull_request", "Pull request opened or updated"
        RERUN = "rerun", "Re-run requested"
        FREE_SCAN = "free_scan", "Free scan (onboarding)"
        MANUAL = "manual", "Started by an operator"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                                 help_text="Id shown in URLs and sent to GitHub as external_id.")
    repository = models.ForeignKey(Repository, on_delete=models.PROTECT, related_name="scans")
    installation = models.ForeignKey(Installation, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="scans")
    trigger = models.CharField(max_length=16, choices=Trigger.choices,
                               default=Trigger.PULL_REQUEST)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="requested_scans",
        help_text="Who asked for a free scan; it reads the code with their token when the "
                  "App is not installed on the repository.")
    trigger_delivery = models.CharField(
        max_length=64, blank=True, db_index=True,
        help_text="GUID of the webhook delivery that started the scan, if any.")
    pr_number = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    head_sha = models.CharField(max_length=40, db_index=True)
    base_sha = models.CharField(max_length=40, blank=True)
    head_branch = models.CharField(max_length=255, blank=True)
    base_branch = models.CharField(max_length=255, blank=True)
    head_repository_full_name = models.CharField(
        max_length=255, blank=True, help_text="Where the head commit lives (a fork for fork PRs).")
    pr_updated_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The pull request's updated_at in the triggering event: orders events that "
                  "arrive late (retries, redeliveries) so an old one never supersedes a newer.")
    mode = models.CharField(max_length=16, choices=ScanMode.choices, default=ScanMode.PR_DIFF)
    failure_threshold = models.CharField(max_length=16, choices=Severity.choices,
                                         default=Severity.HIGH,
                                         help_text="The repository's threshold when queued.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    conclusion = models.CharField(max_length=16, blank=True,
                                  help_text="success, neutral or failure once completed.")
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    failure_reason = models.CharField(
        max_length=255, blank=True, help_text="Safe, short reason; never an exception's text.")
    reference_id = models.CharField(
        max_length=32, blank=True, help_text="Shown to users on failure, to find the logs.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, db_index=True,
        help_text="When the scan's task is due; a queued scan long past it lost its message "
                  "and the sweeper queues it again.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True,
        help_text="A running scan's claim: past it, its worker is presumed dead and another "
                  "worker resumes the scan.")
    claim_token = models.UUIDField(
        null=True, blank=True, editable=False,
        help_text="Set by each claim: the worker whose claim a database failure interrupted "
                  "resumes it with this token instead of waiting out the lease.")
    engine_versions = models.JSONField(default=dict, blank=True)
    files_scanned = models.PositiveIntegerField(default=0)
    critical_count = models.PositiveIntegerField(default=0)
    high_count = models.PositiveIntegerField(default=0)
    medium_count = models.PositiveIntegerField(default=0)
    low_count = models.PositiveIntegerField(default=0)
    info_count = models.PositiveIntegerField(default=0)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    unscanned_files = models.JSONField(
        default=list, blank=True,
        help_text="Changed files an engine should have covered and did not: path, reason, "
                  "engine (checks.integrity). Any of them keeps the run from success.")
    suppressions = models.JSONField(
        default=list, blank=True,
        help_text="Findings inline comments suppressed (or tried to), with rule and marker.")
    repo_config = models.JSONField(
        default=dict, blank=True,
        help_text="The settings applied: .fortify.yml from the base branch over defaults.")

    objects = ScanJobQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["repository", "pr_number", "status"],
                                name="scan_pr_status_idx")]

    def __str__(self) -> str:
        target = f"#{self.pr_number}" if self.pr_number else self.head_branch
        return f"{self.repository} {target} @ {self.head_sha[:7]} ({self.status})"

    @property
    def counts(self) -> dict[str, int]:
        return {"CRITICAL": self.critical_count, "HIGH": self.high_count,
                "MEDIUM": self.medium_count, "LOW": self.low_count, "INFO": self.info_count}


class Finding(models.Model):
    """One issue a scan found, on lines the pull request changed (or anywhere, in full mode)."""

    scan = models.ForeignKey(ScanJob, on_delete=models.CASCADE, related_name="findings")
    engine = models.CharField(max_length=32)
    rule_id = models.CharField(max_length=255)
    severity = models.CharField(max_length=16, choices=Severity.choices, db_index=True)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    path = models.CharField(max_length=1024)
    start_line = models.PositiveIntegerField()
    end_line = models.PositiveIntegerField()
    snippet = models.TextField(blank=True, help_text="Flagged code, with secrets masked.")
    fingerprint = models.CharField(max_length=64, db_index=True,
                                   help_text="Stable across commits: rule, path and code text.")
    auto_fixable = models.BooleanField(default=False)
    fix = models.TextField(blank=True, help_text="Replacement for the lines, when auto_fixable.")
    cwe = models.CharField(max_length=16, blank=True, db_index=True,
                           help_text='The weakness, e.g. "CWE-89" (checks.classification).')
    owasp = models.CharField(max_length=64, blank=True,
                             help_text='OWASP Top 10 category, e.g. "A03:2021-Injection".')
    confidence = models.CharField(max_length=8, default="MEDIUM",
                                  help_text="HIGH, MEDIUM or LOW: how sure the engine is.")

    class Meta:
        ordering = ["scan", "path", "start_line"]
        constraints = [models.CheckConstraint(condition=Q(end_line__gte=models.F("start_line")),
                                              name="finding_lines_ordered")]

    def __str__(self) -> str:
        return f"{self.severity} {self.rule_id} {self.path}:{self.start_line}"

    @property
    def stable_rule_id(self) -> str:
        prefix = "fortify" if self.engine == "semgrep" else self.engine
        return f"{prefix}/{self.rule_id}"


class CheckRun(models.Model):
    """The GitHub check run that reports a scan on the pull request's head commit."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    scan = models.OneToOneField(ScanJob, on_delete=models.CASCADE, related_name="check_run")
    github_id = models.PositiveBigIntegerField(null=True, blank=True, unique=True,
                                               help_text="GitHub's check run id.")
    head_sha = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    conclusion = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=255, blank=True)
    html_url = models.URLField(blank=True)
    annotations_sent = models.PositiveIntegerField(default=0)
    report_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Reports started; from the second on, GitHub's annotation count "
                             "is read first, so a lost answer never duplicates annotations.")
    next_attempt_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the task creating or completing the run on GitHub is next due; the "
                  "sweeper re-queues it when that message was lost.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"check run {self.github_id or '(not created)'} for {self.scan}"


class CheckRunAction(models.Model):
    """A click on one of the check run's buttons (or its "Re-run" links), as GitHub sent it.

    Every click is kept, whatever came of it, so the dashboard can show who asked for what
    and operators can see why a button seemed to do nothing (``outcome``).
    """

    class Action(models.TextChoices):
        RERUN = "rerun", "Re-run (check run)"
        RERUN_SUITE = "rerun_suite", "Re-run all checks (check suite)"
        RERUN_SCAN = "rerun_scan", "Re-run scan button"
        APPLY_FIXES = "apply_fixes", "Apply fixes button"
        COMMIT_FIXES = "commit_fixes", "Commit fixes button"
        VIEW_DASHBOARD = "view_dashboard", "View dashboard button"
        OTHER = "other", "A button Fortify does not offer"

    class Outcome(models.TextChoices):
        RECEIVED = "received", "Received, being handled"
        DONE = "done", "Done"
        DEBOUNCED = "debounced", "A re-run of this commit was already in flight"
        STALE = "stale", "The commit is no longer the pull request's head"
        NOTHING_TO_DO = "nothing_to_do", "Nothing left to fix"
        NOT_PERMITTED = "not_permitted", "The App lacks a permission"
        REFUSED = "refused", "Refused (e.g. the branch moved meanwhile)"
        FAILED = "failed", "Failed (see the logs by reference)"
        UNKNOWN_RUN = "unknown_run", "No Fortify scan for this check run"

    scan = models.ForeignKey(ScanJob, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="actions", help_text="The scan whose run was clicked.")
    repository = models.ForeignKey(Repository, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    delivery_id = models.CharField(max_length=64, blank=True, db_index=True,
                                   help_text="GUID of the webhook delivery of the click.")
    github_check_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    head_sha = models.CharField(max_length=40, blank=True)
    sender_id = models.PositiveBigIntegerField(null=True, blank=True,
                                               help_text="GitHub id of the user who clicked.")
    sender_login = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices,
                               default=Outcome.RECEIVED)
    result_scan = models.ForeignKey(ScanJob, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+",
                                    help_text="The scan this click started (re-runs).")
    reference_id = models.CharField(max_length=32, blank=True,
                                    help_text="Shown to users on failure, to find the logs.")
    detail = models.CharField(max_length=255, blank=True,
                              help_text="Safe, short note for operators; never an error's text.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["delivery_id", "action"],
                                               condition=~Q(delivery_id=""),
                                               name="check_run_action_once_per_delivery")]

    def __str__(self) -> str:
        return f"{self.action} by {self.sender_login or '?'} ({self.outcome})"
