"""The scan page GitHub's check run links to (``details_url``): members only."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from dashboard.access import member_required
from dashboard.selectors import github_line_url
from installations.access import scans_for


@require_GET
@member_required
def scan_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One scan and its findings, with the code and a link to the lines on GitHub.

    Anyone may hold the link (it is on the pull request), so the link is not the key: a
    person who is not a member of the installation gets sign-in, then 404.
    """
    scan = get_object_or_404(scans_for(request.user).select_related("repository"),
                             public_id=public_id)
    findings = [(finding, github_line_url(settings.GITHUB_WEB_URL, scan, finding.path,
                                          finding.start_line, finding.end_line))
                for finding in scan.findings.all()]
    return render(request, "checks/scan_detail.html",
                  {"scan": scan, "findings": findings, "counts": scan.counts})
