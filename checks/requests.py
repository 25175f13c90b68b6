"""Scans people ask for (dashboard or API) rather than GitHub's webhooks.

The request is validated where it is made; resolving the branch or pull request on GitHub and
starting the scan happen in a task (``checks.start_requested_scan``).
"""

from __future__ import annotations

import logging

from django.db import transaction

from checks.models import ScanJob
from fortify_github.scanning import ScanMode
from installations.models import Repository

logger = logging.getLogger(__name__)


def scan_request_queue(repository: Repository, *, pr_number: int | None = None,
                       branch: str = "") -> None:
    """Queue a scan of a pull request (the usual check run) or of a branch (full mode)."""
    from checks.tasks import start_requested_scan_task

    transaction.on_commit(lambda: start_requested_scan_task.delay(
        repository.pk, pr_number=pr_number, branch=branch))


def scan_request_start(repository_pk: int, *, pr_number: int | None = None,
                       branch: str = "") -> ScanJob | None:
    """Resolve the pull request or branch on GitHub and start its scan (in a task)."""
    from checks import services
    from checks.tasks import run_scan_task
    from fortify_github.github import installation_client

    repository = Repository.objects.select_related("installation").get(pk=repository_pk)
    if repository.installation is None:
        return None
    client = installation_client(repository.installation.installation_id)
    if pr_number is not None:
        pull = client.get_pull_request(repository.owner, repository.name, pr_number)
        payload = {"pull_request": pull, "repository": pull["base"]["repo"],
                   "installation": {"id": repository.installation.installation_id}}
        return services.scan_pull_request(payload)
    commit = client.get_branch(repository.owner, repository.name, branch)["commit"]["sha"]
    scan = ScanJob.objects.create(
        repository=repository, installation=repository.installation,
        trigger=ScanJob.Trigger.MANUAL, head_sha=commit, head_branch=branch,
        mode=ScanMode.FULL, failure_threshold=repository.failure_threshold)
    transaction.on_commit(lambda: run_scan_task.delay(scan.pk))
    return scan
