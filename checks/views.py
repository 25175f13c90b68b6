"""The scan page GitHub's check run links to (``details_url``) and its SARIF export."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from checks.integrity import unscanned_from
from checks.models import ScanJob
from checks.sarif import scan_sarif


@require_GET
def scan_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One scan and its findings. The URL's random UUID is the only key to it."""
    scan = get_object_or_404(ScanJob.objects.select_related("repository"), public_id=public_id)
    findings = scan.findings.all()
    return render(request, "checks/scan_detail.html",
                  {"scan": scan, "findings": findings, "counts": scan.counts,
                   "unscanned": unscanned_from(scan.unscanned_files or []),
                   "suppressions": scan.suppressions or []})


@require_GET
def scan_sarif_export(request: HttpRequest, public_id) -> HttpResponse:
    """The scan's findings as a SARIF 2.1.0 file; only a completed scan has results to give."""
    scan = get_object_or_404(ScanJob.objects.select_related("repository"), public_id=public_id)
    if scan.status != ScanJob.Status.COMPLETED:
        return JsonResponse(
            {"error": f"This scan is {scan.get_status_display().lower()}: a SARIF export "
                      "exists only for a completed scan."}, status=409)
    response = HttpResponse(json.dumps(scan_sarif(scan), indent=2),
                            content_type="application/sarif+json")
    response["Content-Disposition"] = f'attachment; filename="fortify-{scan.public_id}.sarif"'
    return response
