"""JSON shapes of the API. GitHub ids identify installations and repositories; scans are
identified by their public UUID (the one in check runs' details URLs)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from checks.models import Finding, ScanJob
from dashboard.selectors import github_line_url, last_completed_scan
from fortify_github.scanning import Severity
from installations import plans
from installations.models import Installation, Repository


class PlanSerializer(serializers.Serializer):
    plan_name = serializers.CharField()
    source = serializers.CharField()
    private_repositories = serializers.IntegerField(allow_null=True)
    on_free_trial = serializers.BooleanField()
    free_trial_ends_on = serializers.DateTimeField(allow_null=True)
    pending_plan_name = serializers.CharField()
    pending_effective_date = serializers.DateTimeField(allow_null=True)


class InstallationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="installation_id", read_only=True)
    plan = serializers.SerializerMethodField()
    permission_warnings = serializers.SerializerMethodField()
    coming_changes = serializers.SerializerMethodField()

    class Meta:
        model = Installation
        fields = ["id", "account_login", "account_type", "status", "repository_selection",
                  "setup_source", "permission_warnings", "plan", "coming_changes",
                  "created_at"]

    @extend_schema_field(PlanSerializer)
    def get_plan(self, obj: Installation) -> dict:
        return PlanSerializer(plans.allowance_for(obj)).data

    def get_permission_warnings(self, obj: Installation) -> list[str]:
        return [warning["message"] for warning in obj.permission_warnings.values()]

    def get_coming_changes(self, obj: Installation) -> list[str]:
        return plans.coming_changes(obj)


class ScanSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = ScanJob
        fields = ["id", "status", "conclusion", "pr_number", "head_sha", "queued_at",
                  "finished_at"]


class SeverityCountsSerializer(serializers.Serializer):
    CRITICAL = serializers.IntegerField()
    HIGH = serializers.IntegerField()
    MEDIUM = serializers.IntegerField()
    LOW = serializers.IntegerField()
    INFO = serializers.IntegerField()


class RepositorySerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="github_id", read_only=True)
    installation = serializers.IntegerField(source="installation.installation_id",
                                            read_only=True, allow_null=True)
    last_scan = serializers.SerializerMethodField()
    open_findings = serializers.SerializerMethodField()
    protect_branch = serializers.BooleanField(
        write_only=True, required=False,
        help_text="With enabled=true: also require the Fortify check on the default branch.")
    setup_run = serializers.SerializerMethodField(
        help_text="Set when enabling or disabling was queued: the background run that does it.")

    class Meta:
        model = Repository
        fields = ["id", "full_name", "installation", "private", "archived", "default_branch",
                  "languages", "frameworks", "enabled", "scan_mode", "failure_threshold",
                  "excluded_paths", "branch_protection_status", "branch_protection_branch",
                  "branch_protection_reason", "last_scan", "open_findings", "protect_branch",
                  "setup_run"]
        read_only_fields = ["full_name", "private", "archived", "default_branch", "languages",
                            "frameworks", "branch_protection_status",
                            "branch_protection_branch", "branch_protection_reason"]

    @extend_schema_field(ScanSummarySerializer(allow_null=True))
    def get_last_scan(self, obj: Repository) -> dict | None:
        scan = obj.scans.order_by("-queued_at").first()
        return ScanSummarySerializer(scan).data if scan else None

    @extend_schema_field(SeverityCountsSerializer)
    def get_open_findings(self, obj: Repository) -> dict:
        scan = last_completed_scan(obj)
        return scan.counts if scan else {s: 0 for s in Severity.values}

    def get_setup_run(self, obj: Repository) -> int | None:
        run = self.context.get("setup_run")
        return run.pk if run else None

    def validate_excluded_paths(self, value: list) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
            raise serializers.ValidationError("A list of non-empty glob patterns.")
        if len(value) > 100:
            raise serializers.ValidationError("At most 100 patterns.")
        for pattern in value:
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise serializers.ValidationError(
                    f"{pattern!r}: patterns are relative to the repository root, without '..'.")
        return value


class ScanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    repository = serializers.IntegerField(source="repository.github_id", read_only=True)
    repository_full_name = serializers.CharField(source="repository.full_name", read_only=True)
    counts = SeverityCountsSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = ScanJob
        fields = ["id", "repository", "repository_full_name", "trigger", "pr_number",
                  "head_sha", "base_sha", "head_branch", "base_branch", "mode", "status",
                  "conclusion", "failure_threshold", "failure_reason", "reference_id",
                  "files_scanned", "counts", "queued_at", "started_at", "finished_at",
                  "duration_ms", "url"]

    def get_url(self, obj: ScanJob) -> str:
        return f"{settings.FORTIFY_PUBLIC_URL}/scans/{obj.public_id}"


class ScanTriggerSerializer(serializers.Serializer):
    repository = serializers.IntegerField(help_text="The repository's GitHub id.")
    pr_number = serializers.IntegerField(required=False, min_value=1,
                                         help_text="Scan this pull request's head commit.")
    branch = serializers.CharField(required=False, max_length=255,
                                   help_text="Scan this branch's tip, whole repository.")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("pr_number")) == bool(attrs.get("branch")):
            raise serializers.ValidationError("Give either pr_number or branch, not both.")
        return attrs


class ScanQueuedSerializer(serializers.Serializer):
    status = serializers.CharField()
    repository = serializers.IntegerField()
    pr_number = serializers.IntegerField(allow_null=True)
    branch = serializers.CharField()
    scans = serializers.CharField(help_text="Where the scan will be listed.")


class FindingSerializer(serializers.ModelSerializer):
    scan = serializers.UUIDField(source="scan.public_id", read_only=True)
    repository = serializers.IntegerField(source="scan.repository.github_id", read_only=True)
    github_url = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = ["id", "scan", "repository", "engine", "rule_id", "severity", "title",
                  "description", "recommendation", "path", "start_line", "end_line", "snippet",
                  "auto_fixable", "github_url"]

    def get_github_url(self, obj: Finding) -> str:
        return github_line_url(settings.GITHUB_WEB_URL, obj.scan, obj.path, obj.start_line,
                               obj.end_line)
