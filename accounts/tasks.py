"""Background work of the accounts app: sending invitation emails."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, name="accounts.send_invitation", max_retries=5)
def send_invitation_task(self, invitation_pk: int) -> bool:
    """Email an invitation; SMTP or GitHub being down is retried with backoff."""
    from accounts.invitations import invitation_send
    from fortify_github.github.errors import TransientGitHubError

    try:
        return invitation_send(invitation_pk)
    except (OSError, TransientGitHubError) as error:
        raise self.retry(countdown=min(600, 10 * 2 ** self.request.retries)) from error
