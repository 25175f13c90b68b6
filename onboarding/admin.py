from django.contrib import admin

from onboarding.models import InstallRequest


@admin.register(InstallRequest)
class InstallRequestAdmin(admin.ModelAdmin):
    """Install requests, read-only: the nonce bound into the signed state is never shown."""

    list_display = ("pk", "user", "target_account_login", "repository", "status",
                    "installation", "created_at", "used_at")
    list_filter = ("status", "open_onboarding_pr")
    search_fields = ("user__username", "user__github_login", "target_account_login",
                     "repository__full_name", "=installation__installation_id")
    exclude = ("nonce",)
    readonly_fields = ("user", "target_account_id", "target_account_login", "repository",
                       "scan", "open_onboarding_pr", "status", "installation",
                       "onboarding_pr_url", "onboarding_pr_error", "created_at", "expires_at",
                       "used_at")
    list_select_related = ("user", "repository", "installation")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
