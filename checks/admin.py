"""Scans, findings and check runs in Django admin: browsable and searchable, read-only
(they are GitHub's and the scanner's record, not something to edit by hand)."""

from django.contrib import admin

from checks.models import CheckRun, Finding, ScanJob


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
                    "updated_at")
    list_filter = ("status", "conclusion")
    search_fields = ("=github_id", "head_sha", "scan__repository__full_name", "=scan__public_id")
    list_select_related = ("scan", "scan__repository")
    raw_id_fields = ("scan",)
