"""Scans, findings and check runs in Django admin: browsable and searchable, read-only
(they are GitHub's and the scanner's record, not something to edit by hand)."""

from django.contrib import admin, messages
from django.utils.html import format_html

from checks.models import CheckRun, CheckRunAction, Finding, ScanJob
from checks.services import ScanStillRunning, scan_rerun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("severity", "rule_id", "path", "start_line", "title")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScanJob)
class ScanJobAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "repository", "pr_number", "head_branch", "trigger", "status",
                    "conclusion", "high_count", "critical_count", "queued_at")
    list_filter = ("status", "conclusion", "trigger", "mode")
    search_fields = ("=public_id", "repository__full_name", "head_sha", "head_branch",
                     "=reference_id", "trigger_delivery")
    date_hierarchy = "queued_at"
    list_select_related = ("repository",)
    inlines = [FindingInline]
    actions = ["rerun_scans"]

    @admin.action(description="Re-run selected scans (a new check run on the same commit)")
    def rerun_scans(self, request, queryset) -> None:
        started, refused = 0, []
        for scan in queryset.select_related("repository", "installation"):
            try:
                scan_rerun(scan)
                started += 1
            except ScanStillRunning:
                refused.append(f"{scan.repository.full_name}#{scan.pr_number or scan.head_sha[:7]}")
        if started:
            self.message_user(request, f"Re-running {started} scan(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "Still scanning, not re-run: " + ", ".join(refused)
                              + ".", messages.WARNING)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("severity", "rule_id", "path", "start_line", "engine", "scan")
    list_filter = ("severity", "engine", "auto_fixable")
    search_fields = ("rule_id", "path", "title", "fingerprint", "scan__repository__full_name",
                     "=scan__public_id")
    list_select_related = ("scan", "scan__repository")
    raw_id_fields = ("scan",)


@admin.register(CheckRun)
class CheckRunAdmin(ReadOnlyAdmin):
    list_display = ("github_id", "scan", "status", "conclusion", "title", "annotations_sent",
                    "on_github", "updated_at")
    list_filter = ("status", "conclusion")
    search_fields = ("=github_id", "head_sha", "scan__repository__full_name", "=scan__public_id")
    list_select_related = ("scan", "scan__repository")
    raw_id_fields = ("scan",)

    @admin.display(description="on GitHub")
    def on_github(self, obj: CheckRun) -> str:
        if not obj.html_url:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">open run</a>',
                           obj.html_url)


@admin.register(CheckRunAction)
class CheckRunActionAdmin(ReadOnlyAdmin):
    """Clicks on the check run's buttons: who asked for what, and what came of it."""

    list_display = ("created_at", "action", "sender_login", "repository", "head_sha",
                    "outcome", "reference_id")
    list_filter = ("action", "outcome")
    search_fields = ("sender_login", "delivery_id", "head_sha", "reference_id")
