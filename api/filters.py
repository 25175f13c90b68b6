from __future__ import annotations

import django_filters

from checks.models import Finding, ScanJob
from fortify_github.scanning import Severity
from installations.models import Repository


class RepositoryFilter(django_filters.FilterSet):
    installation = django_filters.NumberFilter(field_name="installation__installation_id")
    full_name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Repository
        fields = ["installation", "enabled", "private", "full_name", "branch_protection_status"]


class ScanFilter(django_filters.FilterSet):
    repository = django_filters.NumberFilter(field_name="repository__github_id")
    installation = django_filters.NumberFilter(
        field_name="repository__installation__installation_id")
    branch = django_filters.CharFilter(field_name="head_branch")
    queued_after = django_filters.IsoDateTimeFilter(field_name="queued_at", lookup_expr="gte")
    queued_before = django_filters.IsoDateTimeFilter(field_name="queued_at", lookup_expr="lt")

    class Meta:
        model = ScanJob
        fields = ["repository", "installation", "status", "conclusion", "pr_number", "branch",
                  "trigger", "queued_after", "queued_before"]


class FindingFilter(django_filters.FilterSet):
    scan = django_filters.UUIDFilter(field_name="scan__public_id")
    repository = django_filters.NumberFilter(field_name="scan__repository__github_id")
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    path = django_filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = Finding
        fields = ["scan", "repository", "severity", "engine", "rule_id", "path"]
