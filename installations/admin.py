from django.contrib import admin, messages
from django.utils.html import format_html_join

from installations.models import Installation, InstallationMembership, MarketplacePlan, Repository
from installations.services import repository_set_enabled


class MembershipInline(admin.TabularInline):
    model = InstallationMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Installation)
class InstallationAdmin(admin.ModelAdmin):
    list_display = ("account_login", "installation_id", "account_type", "status",
                    "repository_selection", "setup_source", "has_permission_warnings")
    list_filter = ("status", "account_type", "setup_source", "repository_selection")
    search_fields = ("account_login", "=installation_id", "=account_id")
    readonly_fields = ("installation_id", "account_id", "permissions", "events",
                       "permission_warnings_display", "suspended_at", "deleted_at",
                       "last_synced_at", "created_at", "updated_at")
    exclude = ("permission_warnings",)
    inlines = [MembershipInline]
    actions = ["sync_with_github"]

    @admin.action(description="Sync with GitHub (installation and its repositories)")
    def sync_with_github(self, request, queryset) -> None:
        from installations.tasks import sync_installation_task

        ids = list(queryset.values_list("installation_id", flat=True))
        for installation_id in ids:
            sync_installation_task.delay(installation_id)
        self.message_user(request, f"Syncing {len(ids)} installation(s) with GitHub; changes "
                                   "appear here within a minute.", messages.SUCCESS)

    @admin.display(boolean=True, description="permission warnings")
    def has_permission_warnings(self, obj: Installation) -> bool:
        return bool(obj.permission_warnings)

    @admin.display(description="Permission warnings")
    def permission_warnings_display(self, obj: Installation):
        if not obj.permission_warnings:
            return "None: every operation has the permissions it needs."
        return format_html_join("\n", "<p>{}</p>",
                                ((warning["message"],)
                                 for warning in obj.permission_warnings.values()))


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ("full_name", "installation", "enabled", "is_installed", "archived",
                    "scan_mode", "failure_threshold", "branch_protection_status")
    list_filter = ("enabled", "is_installed", "archived", "scan_mode", "failure_threshold",
                   "branch_protection_status", "private")
    search_fields = ("full_name", "=github_id")
    readonly_fields = ("github_id", "node_id", "installation", "full_name", "private",
                       "archived", "default_branch", "languages", "is_installed", "removed_at",
                       "deleted_at", "branch_protection_status", "branch_protection_branch",
                       "branch_protection_reason", "branch_protection_updated_at",
                       "last_synced_at", "created_at", "updated_at")
    actions = ["enable_scanning", "disable_scanning", "reapply_branch_protection"]

    @admin.action(description="Re-apply branch protection (require the Fortify check)")
    def reapply_branch_protection(self, request, queryset) -> None:
        from installations.tasks import protect_branch_task

        chosen = list(queryset)
        eligible = [repo for repo in chosen if repo.enabled and repo.is_installed]
        for repository in eligible:
            protect_branch_task.delay(repository.pk)
        if eligible:
            self.message_user(request, f"Applying branch protection on {len(eligible)} "
                              "repositories; the outcome shows in the list.", messages.SUCCESS)
        if skipped := [repo.full_name for repo in chosen if repo not in eligible]:
            self.message_user(request, "Not scanned, so not protected: " + ", ".join(skipped)
                              + ".", messages.WARNING)

    @admin.action(description="Enable Fortify scanning")
    def enable_scanning(self, request, queryset):
        for repository in queryset:
            repository_set_enabled(repository, True)
        self.message_user(request, f"Scanning enabled on {queryset.count()} repositories.")

    @admin.action(description="Disable Fortify scanning (and remove its required check)")
    def disable_scanning(self, request, queryset):
        for repository in queryset:
            repository = repository_set_enabled(repository, False)
            if repository.branch_protection_status == Repository.ProtectionStatus.FAILED:
                self.message_user(request, f"{repository.full_name}: "
                                  f"{repository.branch_protection_reason}", level="warning")
        self.message_user(request, f"Scanning disabled on {queryset.count()} repositories.")


@admin.register(MarketplacePlan)
class MarketplacePlanAdmin(admin.ModelAdmin):
    list_display = ("account_login", "plan_name", "status", "billing_cycle", "on_free_trial",
                    "pending_plan_name", "pending_effective_date")
    list_filter = ("status", "billing_cycle", "on_free_trial")
    search_fields = ("account_login", "=account_id")
