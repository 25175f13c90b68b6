"""GitHub App installations, the repositories they cover, and Fortify's settings for each.

GitHub ids are the stable keys everywhere: logins and repository names change (renames,
transfers), ids do not.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from fortify_github.scanning import ScanMode, Severity


class Installation(models.Model):
    """One installation of the Fortify App on a GitHub user or organization account."""

    class AccountType(models.TextChoices):
        USER = "User", "User"
        ORGANIZATION = "Organization", "Organization"
        ENTERPRISE = "Enterprise", "Enterprise"

    class RepositorySelection(models.TextChoices):
        ALL = "all", "All repositories"
        SELECTED = "selected", "Selected repositories"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        DELETED = "deleted", "Deleted"

    class SetupSource(models.TextChoices):
        ONBOARDING = "onboarding", "Fortify onboarding"
        MARKETPLACE = "marketplace", "GitHub Marketplace"
        DIRECT = "direct", "Installed directly on GitHub"

    installation_id = models.PositiveBigIntegerField(
        unique=True, help_text="GitHub's installation id: the stable key.")
    account_id = models.PositiveBigIntegerField(
        db_index=True, help_text="GitHub id of the user or organization the App is installed on.")
    account_login = models.CharField(
        max_length=255, db_index=True, help_text="Account login as last seen (it can change).")
    account_type = models.CharField(
        max_length=16, choices=AccountType.choices, help_text="User or Organization.")
    target_type = models.CharField(
        max_length=16, choices=AccountType.choices, help_text="GitHub's target_type.")
    repository_selection = models.CharField(
        max_length=16, choices=RepositorySelection.choices, default=RepositorySelection.SELECTED,
        help_text="Whether the installation covers all the account's repositories or a choice.")
    permissions = models.JSONField(
        default=dict, blank=True,
        help_text="Permissions granted to the App, e.g. {\"checks\": \"write\"}.")
    events = models.JSONField(default=list, blank=True, help_text="Webhook events subscribed.")
    permission_warnings = models.JSONField(
        default=dict, blank=True,
        help_text="Operations skipped for lack of a permission, by operation, with the reason.")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True,
        help_text="Lifecycle state; deleted installations keep their history.")
    suspended_at = models.DateTimeField(null=True, blank=True, help_text="When suspended.")
    suspended_by = models.CharField(
        max_length=255, blank=True, help_text="Login of who suspended it, if known.")
    deleted_at = models.DateTimeField(null=True, blank=True, help_text="When uninstalled.")
    setup_source = models.CharField(
        max_length=16, choices=SetupSource.choices, default=SetupSource.DIRECT,
        help_text="How the installation came about: Fortify onboarding, Marketplace, or direct.")
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="InstallationMembership", related_name="installations",
        blank=True, help_text="Fortify users with access to this installation.")
    last_synced_at = models.DateTimeField(
        null=True, blank=True, help_text="Last reconciliation with GitHub's view.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="First seen by Fortify.")
    updated_at = models.DateTimeField(auto_now=True, help_text="Last changed in Fortify.")

    class Meta:
        ordering = ["account_login"]

    def __str__(self) -> str:
        return f"{self.account_login} ({self.installation_id})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def marketplace_plan(self) -> MarketplacePlan | None:
        """The account's Marketplace plan: GitHub bills accounts, not installations."""
        return MarketplacePlan.objects.filter(account_id=self.account_id).first()


class RepositoryQuerySet(models.QuerySet):
    def scannable(self) -> RepositoryQuerySet:
        """Repositories whose pull requests Fortify scans right now."""
        return self.filter(
            enabled=True, is_installed=True, archived=False, deleted_at__isnull=True,
            installation__status=Installation.Status.ACTIVE,
        )


class Repository(models.Model):
    """A GitHub repository Fortify knows of, and how Fortify should treat it."""

    class ProtectionStatus(models.TextChoices):
        NOT_CONFIGURED = "not_configured", "Not configured"
        ENABLED = "enabled", "Fortify check required"
        FAILED = "failed", "Could not configure"
        REMOVED = "removed", "Fortify check removed"

    github_id = models.PositiveBigIntegerField(
        unique=True, help_text="GitHub's repository id: stable across renames and transfers.")
    node_id = models.CharField(max_length=64, blank=True, help_text="GitHub's GraphQL node id.")
    installation = models.ForeignKey(
        Installation, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="repositories",
        help_text="The installation that covers (or last covered) this repository.")
    full_name = models.CharField(
        max_length=255, db_index=True, help_text="owner/name as last seen (it can change).")
    private = models.BooleanField(default=False, help_text="Private on GitHub.")
    archived = models.BooleanField(default=False, help_text="Archived repositories get no scans.")
    size_kb = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="GitHub's size of the repository in KB, as the last event or sync gave it; "
                  "a pull request's scan downloads the whole archive only while it is small.")
    file_count = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Files in the last archive of the repository a scan read (null until one "
                  "was read); a pull request's scan downloads the whole archive only while "
                  "it holds few files per file the scan needs.")
    default_branch = models.CharField(max_length=255, default="main",
                                      help_text="The branch branch protection applies to.")
    languages = models.JSONField(default=dict, blank=True,
                                 help_text="Bytes of code per language, from GitHub.")
    frameworks = models.JSONField(default=list, blank=True,
                                  help_text="Frameworks found in manifest files (setup wizard).")
    detected_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When languages and frameworks were detected.")
    is_installed = models.BooleanField(
        default=True, help_text="Covered by an installation now (false once removed from it).")
    removed_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When it left its installation.")
    deleted_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When it was deleted on GitHub.")
    enabled = models.BooleanField(default=True, help_text="Fortify scans its pull requests.")
    scan_mode = models.CharField(max_length=16, choices=ScanMode.choices,
                                 default=ScanMode.PR_DIFF, help_text="What a PR scan covers.")
    failure_threshold = models.CharField(
        max_length=16, choices=Severity.choices, default=Severity.HIGH,
        help_text="Findings at or above this severity make the check run fail.")
    excluded_paths = models.JSONField(
        default=list, blank=True, help_text="Glob patterns of paths never scanned.")
    branch_protection_status = models.CharField(
        max_length=16, choices=ProtectionStatus.choices, default=ProtectionStatus.NOT_CONFIGURED,
        help_text="Whether the Fortify check is required on the protected branch.")
    branch_protection_branch = models.CharField(
        max_length=255, blank=True, help_text="The branch Fortify's check was added to.")
    branch_protection_reason = models.TextField(
        blank=True, help_text="Why branch protection could not be configured, for people.")
    branch_protection_updated_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True,
                                          help_text="Last refreshed from GitHub.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RepositoryQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "repositories"
        indexes = [models.Index(fields=["enabled", "is_installed"], name="repo_scannable_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]


class InstallationMembership(models.Model):
    """Which Fortify users may manage an installation, and who is its primary contact."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="installation_memberships")
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE,
                                     related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER,
                            help_text="Owners (the account itself) and admins (the installer, "
                                      "organization admins) change settings and protection.")
    is_primary_contact = models.BooleanField(
        default=False, help_text="The person Fortify contacts about this installation.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "installation"],
                                    name="unique_installation_membership"),
            models.UniqueConstraint(fields=["installation"], condition=Q(is_primary_contact=True),
                                    name="one_primary_contact_per_installation"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.installation} ({self.role})"


class MarketplacePlan(models.Model):
    """An account's GitHub Marketplace plan, kept from `marketplace_purchase` events."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    account_id = models.PositiveBigIntegerField(unique=True,
                                                help_text="GitHub id of the billed account.")
    account_login = models.CharField(max_length=255, help_text="Login as last seen.")
    account_type = models.CharField(max_length=16, choices=Installation.AccountType.choices)
    plan_id = models.PositiveBigIntegerField(null=True, blank=True)
    plan_name = models.CharField(max_length=255, blank=True)
    price_model = models.CharField(
        max_length=16, blank=True,
        help_text="GitHub's price model: FREE, FLAT_RATE or PER_UNIT (unit_count then counts).")
    billing_cycle = models.CharField(max_length=16, blank=True, help_text="monthly or yearly.")
    unit_count = models.PositiveIntegerField(null=True, blank=True)
    on_free_trial = models.BooleanField(default=False)
    free_trial_ends_on = models.DateTimeField(null=True, blank=True)
    next_billing_date = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    effective_date = models.DateTimeField(null=True, blank=True,
                                          help_text="When the current plan took effect.")
    pending_plan_name = models.CharField(
        max_length=255, blank=True, help_text="A plan change waiting for the billing cycle.")
    pending_plan_id = models.PositiveBigIntegerField(null=True, blank=True)
    pending_effective_date = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_login}: {self.plan_name or 'no plan'} ({self.status})"


class SetupRun(models.Model):
    """One application of the setup wizard's choices, done in the background.

    ``items`` is the choice per repository; ``results`` grows as the task applies them, so the
    progress page can show what is done and what went wrong, repository by repository.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE,
                                     related_name="setup_runs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    items = models.JSONField(
        default=list, help_text="[{repository, enabled, failure_threshold, protect_branch}]")
    results = models.JSONField(default=list, blank=True,
                               help_text="[{repository, full_name, outcome, message}] so far.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"setup of {self.installation} ({self.status}, {self.done}/{self.total})"

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return len(self.results)
