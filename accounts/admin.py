from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "github_login", "github_id", "email", "is_staff")
    search_fields = ("username", "github_login", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("GitHub", {"fields": ("github_id", "github_login", "avatar_url")}),
    )
