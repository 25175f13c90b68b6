"""Invitations to pending accounts: a signed, expiring, single-use link, sent by email.

The link carries the invitation id signed (``TimestampSigner``, own salt) so it cannot be
guessed or altered; its age is checked against ``INVITATION_MAX_AGE``; ``used_at`` makes it
single-use. Following it only remembers the invitation in the session: the account is
activated when the invitee proves with GitHub that they are that person.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User

logger = logging.getLogger(__name__)
SALT = "fortify.invitation"
SESSION_KEY = "fortify_invitation_id"


class InvitationRefused(Exception):
    """The link cannot be used; ``reason`` is written for the person who followed it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invitation_create(*, user: User, installation=None, email: str = "") -> Invitation:
    """A new invitation for a pending account; the email goes out after commit (a task)."""
    from accounts.tasks import send_invitation_task

    invitation = Invitation.objects.create(
        user=user, installation=installation, email=email or user.email,
        expires_at=timezone.now() + timedelta(seconds=settings.INVITATION_MAX_AGE))
    transaction.on_commit(lambda: send_invitation_task.delay(invitation.pk))
    return invitation


def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(invitation.pk))


def invitation_url(invitation: Invitation) -> str:
    path = reverse("accounts:invitation", kwargs={"token": invitation_token(invitation)})
    return f"{settings.FORTIFY_PUBLIC_URL}{path}"


def invitation_check(token: str) -> Invitation:
    """The invitation a link names, or ``InvitationRefused`` saying why not."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=timedelta(seconds=settings.INVITATION_MAX_AGE))
    except signing.SignatureExpired as error:
        raise InvitationRefused("This invitation link has expired. Ask for a new one, or "
                                "simply sign in with GitHub.") from error
    except signing.BadSignature as error:
        raise InvitationRefused("This invitation link is not valid.") from error
    invitation = Invitation.objects.select_related("user").filter(pk=int(pk)).first()
    if invitation is None:
        raise InvitationRefused("This invitation no longer exists.")
    if invitation.used_at is not None:
        raise InvitationRefused("This invitation link was already used. Sign in with GitHub "
                                "instead.")
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused("This invitation link has expired. Ask for a new one, or "
                                "simply sign in with GitHub.")
    return invitation


def invitation_accept(invitation_pk: int, user: User) -> bool:
    """Use the invitation for ``user`` (the GitHub person it was for); False if not theirs,
    already used or expired."""
    updated = Invitation.objects.filter(
        pk=invitation_pk, user=user, used_at__isnull=True, expires_at__gt=timezone.now(),
    ).update(used_at=timezone.now())
    return bool(updated)


def _public_email(invitation: Invitation) -> str:
    """The invitee's public GitHub email (webhook senders carry none); "" if hidden."""
    from fortify_github.github import installation_client
    from fortify_github.github.errors import GitHubError, TransientGitHubError

    if invitation.installation is None or not invitation.user.github_login:
        return ""
    client = installation_client(invitation.installation.installation_id)
    try:
        return str(client.get_user(invitation.user.github_login).get("email") or "")
    except TransientGitHubError:
        raise  # the task retries
    except GitHubError:
        return ""


def invitation_send(invitation_pk: int) -> bool:
    """Email the link (Django's email framework); False when there is no address to use."""
    invitation = Invitation.objects.select_related("user", "installation").get(pk=invitation_pk)
    if invitation.sent_at is not None or invitation.used_at is not None:
        return False
    if not invitation.email:
        invitation.email = _public_email(invitation)
        if invitation.email:
            Invitation.objects.filter(pk=invitation.pk).update(email=invitation.email)
    if not invitation.email:
        logger.info("invitation %s: no email address known for %s; the link is in the admin",
                    invitation.pk, invitation.user)
        return False
    where = (f" on {invitation.installation.account_login}" if invitation.installation
             else "")
    send_mail(
        subject="You installed Fortify: finish setting up",
        message=(f"Hello {invitation.user},\n\nYou installed the Fortify GitHub App{where}. "
                 "Follow this link and sign in with GitHub to see your repositories and "
                 f"turn on protection:\n\n{invitation_url(invitation)}\n\n"
                 f"The link works once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} "
                 "UTC.\n"),
        from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[invitation.email])
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True
