"""The setup wizard's bulk apply: which repositories Fortify scans, how strictly, protected or
not, applied in the background with progress stored in the database.

The wizard (and the dashboard's per-repository switch, and the API) only validate and store a
``SetupRun``; the task applies it, calling GitHub outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fortify_github.scanning import Severity
from installations import plans
from installations.models import Installation, Repository, SetupRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RepositoryChoice:
    """What a person chose for one repository."""

    repository: Repository
    enabled: bool
    failure_threshold: str
    protect_branch: bool


def setup_run_start(*, installation: Installation, user, choices: Iterable[RepositoryChoice]
                    ) -> SetupRun:
    """Validate the choice as a whole and queue its application.

    Raises ``ValidationError`` with a message for people: a repository outside the
    installation, an unknown threshold, or more private repositories than the plan allows.
    """
    choices = list(choices)
    if not choices:
        raise ValidationError("Choose at least one repository.")
    for choice in choices:
        if choice.repository.installation_id != installation.pk or \
                not choice.repository.is_installed:
            raise ValidationError(f"{choice.repository.full_name} is not part of this "
                                  "installation.")
        if choice.failure_threshold not in Severity.values:
            raise ValidationError(f"{choice.failure_threshold!r} is not a severity; use one of "
                                  f"{', '.join(Severity.values)}.")
    chosen_ids = {choice.repository.pk for choice in choices}
    private_enabled = sum(1 for c in choices if c.enabled and c.repository.private) + \
        installation.repositories.scannable().filter(private=True).exclude(
            pk__in=chosen_ids).count()
    error = plans.check_selection(installation, private_enabled)
    if error:
        raise ValidationError(error)
    items = [{"repository": c.repository.pk, "enabled": c.enabled,
              "failure_threshold": c.failure_threshold, "protect_branch": c.protect_branch}
             for c in choices]
    run = SetupRun.objects.create(installation=installation, requested_by=user, items=items)

    from installations.tasks import apply_setup_run_task

    transaction.on_commit(lambda: apply_setup_run_task.delay(run.pk))
    return run


def _apply_one(item: dict) -> dict:
    from installations.branch_protection import protect_branch
    from installations.services import repository_configure, repository_set_enabled

    repository = Repository.objects.filter(pk=item["repository"]).first()
    if repository is None or not repository.is_installed:
        return {"repository": item["repository"], "full_name": "", "outcome": "skipped",
                "message": "No longer part of the installation."}
    repository = repository_configure(repository, failure_threshold=item["failure_threshold"])
    repository = repository_set_enabled(repository, item["enabled"])
    result = {"repository": repository.pk, "full_name": repository.full_name,
              "outcome": "enabled" if item["enabled"] else "disabled", "message": ""}
    if item["enabled"] and item["protect_branch"]:
        outcome = protect_branch(repository)
        if outcome.status == Repository.ProtectionStatus.ENABLED:
            result["message"] = (f"Fortify check required on "
                                 f"{repository.default_branch}.")
        else:
            result["outcome"] = "enabled, not protected"
            result["message"] = outcome.reason
    return result


def setup_run_apply(run_pk: int) -> SetupRun:
    """Apply each choice not applied yet (a retried task resumes where it stopped)."""
    run = SetupRun.objects.get(pk=run_pk)
    if run.status in {SetupRun.Status.COMPLETED, SetupRun.Status.FAILED}:
        return run
    run.status = SetupRun.Status.RUNNING
    run.save(update_fields=["status"])
    for item in run.items[run.done:]:
        run.results = [*run.results, _apply_one(item)]
        run.save(update_fields=["results"])
    run.status = SetupRun.Status.COMPLETED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    return run


def setup_run_fail(run_pk: int, reason: str) -> None:
    SetupRun.objects.filter(pk=run_pk).exclude(status=SetupRun.Status.COMPLETED).update(
        status=SetupRun.Status.FAILED, finished_at=timezone.now())
    logger.error("setup run %s failed: %s", run_pk, reason)
