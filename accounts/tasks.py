"""Background work of the accounts app: sending invitation emails."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.send_invitation", autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def send_invitation_task(invitation_pk: int) -> bool:
    """Email an invitation; SMTP being down is retried with backoff."""
    from accounts.invitations import invitation_send

    return invitation_send(invitation_pk)
