"""Install requests: a signed-in user asked to protect a repository and went to GitHub."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InstallRequest(models.Model):
    """What a user asked for before going to GitHub's install page, and the ``state`` that
    must come back to the setup URL for it to count (single-use, expiring, theirs only)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the install on GitHub"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for an organization owner's approval"
        COMPLETED = "completed", "Installed and linked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="install_requests",
                             help_text="Who asked; only they can complete it.")
    target_account_id = models.PositiveBigIntegerField(
        help_text="GitHub id of the account the App should be installed on.")
    target_account_login = models.CharField(max_length=255, help_text="Its login, as seen.")
    repository = models.ForeignKey(
        "installations.Repository", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="install_requests", help_text="The repository to protect.")
    scan = models.ForeignKey("checks.ScanJob", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", help_text="The free scan that led here.")
    open_onboarding_pr = models.BooleanField(
        default=False, help_text="Open a pull request adding .fortify.yml once installed.")
    nonce = models.CharField(max_length=64, unique=True,
                             help_text="Random; bound into the signed state.")
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING)
    installation = models.ForeignKey(
        "installations.Installation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="install_requests", help_text="The installation it led to.")
    onboarding_pr_url = models.URLField(blank=True, help_text="The onboarding pull request.")
    onboarding_pr_error = models.CharField(max_length=255, blank=True,
                                           help_text="Why the onboarding PR was not opened.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(help_text="The state is refused after this.")
    used_at = models.DateTimeField(null=True, blank=True,
                                   help_text="When the setup URL consumed the state.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"install request {self.pk} by {self.user} for {self.target_account_login}"
