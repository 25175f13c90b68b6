"""Admin for clicks on the check run's buttons: who asked for what, and what came of it."""

from __future__ import annotations

from django.contrib import admin

from checks.models import CheckRunAction


@admin.register(CheckRunAction)
class CheckRunActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "sender_login", "repository", "head_sha",
                    "outcome", "reference_id")
    list_filter = ("action", "outcome")
    search_fields = ("sender_login", "delivery_id", "head_sha", "reference_id")
    readonly_fields = [field.name for field in CheckRunAction._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
