"""The scan page GitHub's check run links to (``details_url``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from checks.integrity import unscanned_from
from checks.models import ScanJob


@require_GET
def scan_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One scan and its findings. The URL's random UUID is the only key to it."""
    scan = get_object_or_404(ScanJob.objects.select_related("repository"), public_id=public_id)
    findings = scan.findings.all()
    return render(request, "checks/scan_detail.html",
                  {"scan": scan, "findings": findings, "counts": scan.counts,
                   "unscanned": unscanned_from(scan.unscanned_files or []),
                   "suppressions": scan.suppressions or []})
