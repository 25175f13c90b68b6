"""Re-runs: "Re-run" on the check run, "Re-run all checks" on the suite, the Re-run button.

The handler (``rerun_request``) only writes: it records the click, refuses a second re-run
while one is in flight for the same head SHA, queues a new ``ScanJob`` and enqueues
``checks.start_rerun`` on commit. The task (``rerun_start``) talks to GitHub: it finds the
pull request (fork pull requests are missing from ``check_run.pull_requests``, so by head
SHA: stored scans first, then ``GET /repos/{owner}/{repo}/commits/{sha}/pulls``), says so
instead of scanning when the commit is no longer the pull request's head, and otherwise
creates the new run and queues the scan. The new run (a new ``external_id``) supersedes the
old one on the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from checks import clicks, reporting
from checks.models import CheckRun, CheckRunAction, ScanJob
from checks.services import _client, complete_run, start_check_run
from installations import services as installation_services
from installations.models import Repository
from installations.permissions import installation_allows

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]
Outcome = CheckRunAction.Outcome


def rerun_request(payload: Json, *, action: str, delivery: str) -> CheckRunAction:
    """Record the click and queue one re-run of its head SHA (none if one is in flight)."""
    installation = installation_services.installation_for_event(payload["installation"]["id"])
    repository = installation_services.repository_for_event(installation, payload["repository"])
    run = payload.get("check_run")
    if run is not None:
        scan = clicks.scan_for_check_run(run, repository)
        head_sha = str(run["head_sha"])
        pulls = run.get("pull_requests") or []
    else:
        suite = payload["check_suite"]
        head_sha = str(suite["head_sha"])
        scan = (ScanJob.objects.filter(repository=repository, head_sha=head_sha)
                .order_by("-queued_at").first())
        pulls = suite.get("pull_requests") or []
    click = clicks.check_run_action_record(payload=payload, action=action, delivery=delivery,
                                           repository=repository, scan=scan)
    if click.outcome != Outcome.RECEIVED:
        return click  # a redelivery of a click already handled
    if not Repository.objects.scannable().filter(pk=repository.pk).exists():
        clicks.check_run_action_finish(click, Outcome.NOTHING_TO_DO,
                                       detail="repository not scanned")
        return click
    if not installation_allows(installation, "report"):
        clicks.check_run_action_finish(click, Outcome.NOT_PERMITTED, detail="checks:write")
        return click
    pr_number = scan.pr_number if scan is not None else None
    if pr_number is None:
        pr_number = next((pull["number"] for pull in pulls
                          if (pull.get("head") or {}).get("sha") == head_sha), None)
    with transaction.atomic():
        # One re-run in flight per head SHA: clicks on the same repository queue up here.
        Repository.objects.select_for_update().filter(pk=repository.pk).first()
        if ScanJob.objects.unfinished().filter(repository=repository,
                                               head_sha=head_sha).exists():
            clicks.check_run_action_finish(click, Outcome.DEBOUNCED,
                                           detail="a scan of this commit is in flight")
            return click
        new = ScanJob.objects.create(
            repository=repository, installation=installation, trigger=ScanJob.Trigger.RERUN,
            trigger_delivery=delivery, pr_number=pr_number, head_sha=head_sha,
            base_sha=scan.base_sha if scan else "", head_branch=scan.head_branch if scan else "",
            base_branch=scan.base_branch if scan else "",
            head_repository_full_name=scan.head_repository_full_name if scan else "",
            mode=repository.scan_mode, failure_threshold=repository.failure_threshold)
        CheckRun.objects.create(scan=new, head_sha=head_sha)
        # Due now: were the task's message lost, the scans' outbox (``scans_sweep``) sends
        # the scan on.
        ScanJob.objects.filter(pk=new.pk).update(next_attempt_at=timezone.now())
        click.result_scan = new
        click.save(update_fields=["result_scan", "updated_at"])
    from checks.action_tasks import start_rerun_task

    transaction.on_commit(lambda: start_rerun_task.delay(new.pk, click.pk))
    return click


def find_pull_request(scan: ScanJob) -> Json | None:
    """The pull request the re-run is for, as GitHub shows it now (``None``: no open one)."""
    client, repository = _client(scan), scan.repository
    number = scan.pr_number
    if number is None:
        stored = (ScanJob.objects.filter(repository=repository, head_sha=scan.head_sha,
                                         pr_number__isnull=False).exclude(pk=scan.pk)
                  .order_by("-queued_at").values_list("pr_number", flat=True).first())
        number = stored
    if number is not None:
        return client.get_pull_request(repository.owner, repository.name, number)
    for pull in client.list_pull_requests_for_commit(repository.owner, repository.name,
                                                     scan.head_sha):
        if pull.get("state") == "open" and pull["head"]["sha"] == scan.head_sha:
            return client.get_pull_request(repository.owner, repository.name, pull["number"])
    return None


def rerun_start(scan_pk: int, click_pk: int | None = None) -> ScanJob:
    """Show the re-run's ``in_progress`` run and queue its scan, or say why not."""
    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    click = CheckRunAction.objects.filter(pk=click_pk).first() if click_pk else None
    if scan.status != ScanJob.Status.QUEUED:
        return scan  # a retried task after the scan was queued (or cancelled)
    pull = find_pull_request(scan)
    if pull is None or pull.get("state") != "open":
        _decline(scan, click, Outcome.STALE, "No open pull request for this commit",
                 "Fortify scans pull requests; this commit is not the head of an open pull "
                 "request, so there is nothing to re-run.")
        return ScanJob.objects.get(pk=scan.pk)
    if pull["head"]["sha"] != scan.head_sha:
        newer = str(pull["head"]["sha"])
        _decline(scan, click, Outcome.STALE,
                 f"Not re-run: #{pull['number']} has newer commits",
                 f"This commit is no longer the head of pull request #{pull['number']}: "
                 f"{newer[:7]} is. Fortify did not scan stale code; the run on {newer[:7]} "
                 "has the current results (use its Re-run button if needed).")
        return ScanJob.objects.get(pk=scan.pk)
    ScanJob.objects.filter(pk=scan.pk).update(
        pr_number=pull["number"], base_sha=pull["base"]["sha"], base_branch=pull["base"]["ref"],
        head_branch=pull["head"]["ref"],
        head_repository_full_name=(pull["head"].get("repo") or {}).get("full_name", ""),
        pr_updated_at=parse_datetime(pull.get("updated_at") or ""))
    scan.refresh_from_db()
    ScanJob.objects.filter(repository=scan.repository, head_sha=scan.head_sha,
                           queued_at__lt=scan.queued_at).exclude(pk=scan.pk).update(
        superseded_by=scan)
    start_check_run(scan)
    if click is not None:
        clicks.check_run_action_finish(click, Outcome.DONE, result_scan=scan)
    from checks import queue

    # Outside a transaction this runs at once; inside one, only once it commits.
    transaction.on_commit(lambda: queue.scan_enqueue(scan.pk))
    return scan


def _decline(scan: ScanJob, click: CheckRunAction | None, outcome: str, title: str,
             summary: str) -> None:
    """Answer the click on the commit's checks: a completed neutral run saying why."""
    updated = ScanJob.objects.filter(pk=scan.pk, status=ScanJob.Status.QUEUED).update(
        status=ScanJob.Status.CANCELLED, finished_at=timezone.now(),
        failure_reason=title[:255])
    if not updated:
        return
    start_check_run(scan)
    complete_run(scan, conclusion="neutral", output={"title": title, "summary": summary},
                 actions=[action for action in reporting.actions_for(0)
                          if action["identifier"] == reporting.ACTION_VIEW_DASHBOARD])
    if click is not None:
        clicks.check_run_action_finish(click, outcome, detail=title)
