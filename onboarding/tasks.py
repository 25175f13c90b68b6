"""Background work after an install: branch protection and the optional onboarding PR."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, name="onboarding.after_install", max_retries=5)
def after_install_task(self, install_request_pk: int) -> str:
    """Require Fortify's check on the scanned repository's default branch (where the App may);
    transient GitHub errors retry with backoff."""
    from fortify_github.github.errors import TransientGitHubError
    from onboarding import protection

    try:
        return protection.after_install(install_request_pk)
    except TransientGitHubError as error:
        raise self.retry(countdown=min(300, 5 * 2 ** self.request.retries)) from error
