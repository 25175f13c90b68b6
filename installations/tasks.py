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
