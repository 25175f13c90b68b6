from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import ApiToken, GitHubAuthorization, Invitation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "github_login", "github_id", "email", "is_staff")
    search_fields = ("username", "github_login", "email")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("GitHub", {"fields": ("github_id", "github_login", "avatar_url")}),
    )


@admin.register(GitHubAuthorization)
class GitHubAuthorizationAdmin(admin.ModelAdmin):
    """Tokens are never shown, not even encrypted: only whether they exist and expire."""

    list_display = ("user", "github_user_id", "has_access_token", "expires_at", "needs_reauth",
                    "updated_at")
    list_filter = ("needs_reauth",)
    search_fields = ("user__username", "user__github_login", "github_user_id")
    fields = ("user", "github_user_id", "has_access_token", "has_refresh_token", "token_type",
              "scopes", "expires_at", "refresh_token_expires_at", "needs_reauth",
              "needs_reauth_since", "created_at", "updated_at")
    readonly_fields = ("has_access_token", "has_refresh_token", "created_at", "updated_at")
    raw_id_fields = ("user",)

    @admin.display(boolean=True, description="access token")
    def has_access_token(self, obj: GitHubAuthorization) -> bool:
        return bool(obj.access_token)

    @admin.display(boolean=True, description="refresh token")
    def has_refresh_token(self, obj: GitHubAuthorization) -> bool:
        return bool(obj.refresh_token)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Personal API tokens: the digest is never shown; admins may only revoke."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username", "user__github_login")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} token(s) revoked.")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations to pending accounts (the signed link itself is never stored)."""

    list_display = ("user", "installation", "email", "created_at", "sent_at", "used_at",
                    "expires_at")
    list_filter = (("used_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "user__github_login", "email",
                     "installation__account_login")
    readonly_fields = ("user", "installation", "email", "created_at", "expires_at", "sent_at",
                       "used_at")

    def has_add_permission(self, request) -> bool:
        return False
