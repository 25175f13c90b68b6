"""Thin Celery tasks for installations; the work lives in services and sync."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="installations.sync_installations")
def sync_installations_task() -> int:
    """Daily reconciliation: heal anything missed webhooks left behind."""
    from installations.sync import sync_installations

    return len(sync_installations().changes)


@shared_task(name="installations.sync_installation")
def sync_installation_task(installation_id: int) -> int:
    """An operator's "sync this installation" (admin action)."""
    from installations.sync import sync_installations

    return len(sync_installations(installation_id=installation_id).changes)


@shared_task(name="installations.protect_branch")
def protect_branch_task(repository_pk: int) -> str:
    """An operator's "re-apply branch protection" (admin action): the outcome is recorded
    on the repository, where the admin shows it."""
    from installations.branch_protection import protect_branch
    from installations.models import Repository

    repository = Repository.objects.get(pk=repository_pk)
    return str(protect_branch(repository, repository.branch_protection_branch or None).status)


@shared_task(bind=True, name="installations.apply_setup_run", max_retries=5)
def apply_setup_run_task(self, run_pk: int) -> str:
    """Apply a setup wizard's choice; transient GitHub errors retry from where it stopped."""
    from fortify_github.backoff import backoff_delay
    from fortify_github.github.errors import TransientGitHubError
    from installations.setup import setup_run_apply, setup_run_fail

    try:
        return setup_run_apply(run_pk).status
    except TransientGitHubError as error:
        if self.request.retries < self.max_retries:
            delay = backoff_delay(self.request.retries + 1, base=5, cap=120,
                                  hinted=getattr(error, "retry_after", None))
            raise self.retry(countdown=delay) from None
        setup_run_fail(run_pk, type(error).__name__)
        return "failed"


@shared_task(name="installations.detect_repositories")
def detect_repositories_task(installation_pk: int) -> int:
    """Languages and frameworks of an installation's repositories, for the setup wizard."""
    from installations.detection import installation_detect
    from installations.models import Installation

    installation = Installation.objects.filter(pk=installation_pk).first()
    return installation_detect(installation) if installation else 0
