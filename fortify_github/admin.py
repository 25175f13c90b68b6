from django.contrib import admin

from fortify_github.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Which workers are alive (written by the workers; read-only here)."""

    list_display = ("hostname", "pid", "started_at", "last_seen")
    search_fields = ("hostname",)
    readonly_fields = ("hostname", "pid", "started_at", "last_seen")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
