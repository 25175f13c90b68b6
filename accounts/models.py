"""People who use Fortify, and who they are on GitHub."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from fortify_github.fields import EncryptedTextField


class User(AbstractUser):
    """A Fortify user; linked to a GitHub account by its stable numeric id, never by login."""

    github_id = models.PositiveBigIntegerField(
        unique=True, null=True, blank=True,
        help_text="GitHub's numeric user id: stable across renames, the key for linking.",
    )
    github_login = models.CharField(
        max_length=39, blank=True, db_index=True,
        help_text="GitHub login as last seen; it can change, so it is never used as a key.",
    )
    avatar_url = models.URLField(blank=True, help_text="GitHub avatar, for display only.")

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.github_login or self.username


class GitHubAuthorization(models.Model):
    """A user's GitHub token pair (OAuth or GitHub App user-to-server), encrypted at rest.

    Expiring tokens (8 hours) come with a refresh token (about six months); ``services``
    refreshes before use. When GitHub revokes the grant the tokens are deleted and
    ``needs_reauth`` asks the user to sign in again.
    """

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="github_authorization",
        help_text="The Fortify user these tokens act for.",
    )
    github_user_id = models.PositiveBigIntegerField(
        db_index=True, help_text="GitHub's numeric id of the user who granted the tokens.",
    )
    access_token = EncryptedTextField(
        blank=True, help_text="User access token, Fernet-encrypted; empty once revoked.",
    )
    refresh_token = EncryptedTextField(
        blank=True, help_text="Refresh token, Fernet-encrypted; empty for non-expiring tokens.",
    )
    token_type = models.CharField(max_length=20, default="bearer", help_text="As GitHub says.")
    scopes = models.CharField(max_length=500, blank=True,
                              help_text="Granted OAuth scopes (empty for GitHub App tokens).")
    expires_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When the access token expires; null = never.")
    refresh_token_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the refresh token expires.",
    )
    needs_reauth = models.BooleanField(
        default=False, help_text="The grant was revoked or expired: the user must sign in again.",
    )
    needs_reauth_since = models.DateTimeField(null=True, blank=True,
                                              help_text="When sign-in became necessary.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "GitHub authorization"
        verbose_name_plural = "GitHub authorizations"

    def __str__(self) -> str:
        return f"GitHub authorization of user {self.user_id} (GitHub id {self.github_user_id})"


class Invitation(models.Model):
    """An invitation to a pending account: a signed, expiring, single-use link sent by email.

    Created when someone installs the App before ever signing in to Fortify. The link itself
    carries the id signed with ``SECRET_KEY`` and a timestamp; ``used_at`` makes it single-use.
    """

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="invitations",
        help_text="The pending account this invitation activates.")
    installation = models.ForeignKey(
        "installations.Installation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="invitations", help_text="The installation that caused the invitation.")
    email = models.EmailField(blank=True, help_text="Where the invitation was sent (if known).")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="After this the link is refused.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the email went out.")
    used_at = models.DateTimeField(null=True, blank=True,
                                   help_text="When the invitee signed in through it.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.user}"
