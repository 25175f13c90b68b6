"""Thin Celery tasks for installations; the work lives in services and sync."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="installations.sync_installations")
def sync_installations_task() -> int:
    """Daily reconciliation: heal anything missed webhooks left behind."""
    from installations.sync import sync_installations

    return len(sync_installations().changes)


@shared_task(bind=True, name="installations.refresh_installation", max_retries=5,
             retry_backoff=5, retry_jitter=True, ignore_result=True)
def installation_refresh_task(self, installation_id: int) -> None:
    """Fetch an installation an event named before we knew it; the event then retries."""
    from fortify_github.github.errors import TransientGitHubError
    from installations.services import installation_refresh

    try:
        installation_refresh(installation_id)
    except TransientGitHubError as error:
        raise self.retry(countdown=max(5.0, getattr(error, "retry_after", None) or 0)) from None
