"""API endpoints: thin views over ``installations.access`` (what a person may see) and the
same services the dashboard uses. Anything outside a person's installations is 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from api import filters, serializers
from api.permissions import ManagesInstallation
from checks.requests import scan_request_queue
from checks.selectors import findings_for, scans_for
from installations.access import can_manage, installations_for, repositories_for
from installations.services import repository_configure
from installations.setup import RepositoryChoice, setup_run_start


class InstallationViewSet(viewsets.ReadOnlyModelViewSet):
    """Installations of the Fortify App you are a member of."""

    serializer_class = serializers.InstallationSerializer
    lookup_field = "installation_id"
    lookup_url_kwarg = "id"
    ordering_fields = ["account_login", "created_at"]
    ordering = ["account_login"]

    def get_queryset(self):
        return installations_for(self.request.user)


class RepositoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Repositories of your installations; owners and admins change their settings.

    Changing ``enabled`` is applied in the background (it may change branch protection on
    GitHub): the answer names the ``setup_run`` doing it.
    """

    serializer_class = serializers.RepositorySerializer
    permission_classes = [IsAuthenticated, ManagesInstallation]
    lookup_field = "github_id"
    lookup_url_kwarg = "id"
    filterset_class = filters.RepositoryFilter
    ordering_fields = ["full_name", "created_at"]
    ordering = ["full_name"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return repositories_for(self.request.user).select_related("installation")

    def perform_update(self, serializer) -> None:
        repository = serializer.instance
        data = serializer.validated_data
        with transaction.atomic():
            repository = repository_configure(
                repository, failure_threshold=data.get("failure_threshold"),
                scan_mode=data.get("scan_mode"), excluded_paths=data.get("excluded_paths"))
            if "enabled" in data and (data["enabled"] != repository.enabled
                                      or data.get("protect_branch")):
                try:
                    run = setup_run_start(
                        installation=repository.installation, user=self.request.user,
                        choices=[RepositoryChoice(
                            repository=repository, enabled=data["enabled"],
                            failure_threshold=repository.failure_threshold,
                            protect_branch=bool(data.get("protect_branch")))])
                except DjangoValidationError as error:
                    raise ValidationError({"enabled": error.messages}) from None
                serializer.context["setup_run"] = run
        serializer.instance = repository


class ScanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Scans of your repositories, newest first; POST asks for a new scan."""

    serializer_class = serializers.ScanSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_class = filters.ScanFilter
    ordering_fields = ["queued_at", "finished_at"]
    ordering = ["-queued_at"]

    def get_queryset(self):
        return scans_for(self.request.user).select_related("repository")

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "scan_trigger"
            return [*super().get_throttles(), ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(request=serializers.ScanTriggerSerializer,
                   responses={202: serializers.ScanQueuedSerializer,
                              400: OpenApiResponse(description="Invalid request."),
                              403: OpenApiResponse(description="Not an owner or admin."),
                              404: OpenApiResponse(description="No such repository.")})
    def create(self, request, *args, **kwargs):
        """Scan a pull request (reported as a check run) or a branch (whole repository).

        Resolving the pull request or branch on GitHub happens in the background; the scan
        then appears in the list. A pull request whose head commit was already scanned keeps
        that scan.
        """
        trigger = serializers.ScanTriggerSerializer(data=request.data)
        trigger.is_valid(raise_exception=True)
        data = trigger.validated_data
        repository = repositories_for(request.user).filter(
            github_id=data["repository"]).select_related("installation").first()
        if repository is None:
            raise NotFound("No such repository.")
        if not can_manage(request.user, repository.installation):
            raise PermissionDenied("Only the installation's owners and admins start scans.")
        if not repository.enabled or not repository.is_installed:
            raise ValidationError({"repository": "Scanning is disabled for this repository."})
        scan_request_queue(repository, pr_number=data.get("pr_number"),
                           branch=data.get("branch", ""))
        body = {"status": "queued", "repository": repository.github_id,
                "pr_number": data.get("pr_number"), "branch": data.get("branch", ""),
                "scans": f"/api/v1/scans/?repository={repository.github_id}"}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings of your scans."""

    serializer_class = serializers.FindingSerializer
    filterset_class = filters.FindingFilter
    ordering_fields = ["severity", "path", "start_line"]
    ordering = ["scan", "path", "start_line"]

    def get_queryset(self):
        return findings_for(self.request.user).select_related("scan", "scan__repository")
