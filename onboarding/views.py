"""Onboarding pages: start, free scan, results, "Enable PR protection", setup URL, outcome.

Thin views over ``onboarding.services``. Every page shows only the signed-in user's own scans
and install requests (404 otherwise). Views are not in ``ATOMIC_REQUESTS``: the setup URL asks
GitHub before it writes anything.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from checks.models import ScanJob
from installations.models import Repository
from onboarding import services
from onboarding.models import InstallRequest
from onboarding.services import OnboardingError

SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]


def _user(request: HttpRequest) -> User:
    """The signed-in user (views using it are behind ``login_required``)."""
    return cast(User, request.user)


@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands: your installations and free scans, and the next step."""
    memberships = _user(request).installation_memberships.select_related(
        "installation").order_by("installation__account_login")
    scans = ScanJob.objects.filter(requested_by=_user(request)).select_related(
        "repository")[:10]
    return render(request, "onboarding/start.html",
                  {"memberships": memberships, "scans": scans})


@login_required
@require_http_methods(["GET", "POST"])
def free_scan(request: HttpRequest) -> HttpResponse:
    """Pick one of your repositories, or name a public one; the scan runs in the background."""
    choices = services.scannable_repositories(_user(request))
    if request.method == "POST":
        full_name = request.POST.get("repository") or request.POST.get("other") or ""
        if request.POST.get("other", "").strip():
            full_name = request.POST["other"]
        try:
            scan = services.free_scan_start(_user(request), full_name)
        except OnboardingError as error:
            return render(request, "onboarding/free_scan.html",
                          {"choices": choices, "error": error.reason,
                           "other": request.POST.get("other", "")}, status=400)
        return redirect("onboarding:scan-results", public_id=scan.public_id)
    return render(request, "onboarding/free_scan.html", {"choices": choices})


@login_required
@require_GET
def scan_results(request: HttpRequest, public_id) -> HttpResponse:
    """Findings by severity, with file, line and code; refreshes itself while running."""
    scan = services.scan_for_user(_user(request), public_id)
    if scan is None:
        raise Http404("no such scan")
    findings = list(scan.findings.order_by("path", "start_line"))
    by_severity = [(severity, [f for f in findings if f.severity == severity])
                   for severity in SEVERITIES]
    running = scan.status in (ScanJob.Status.QUEUED, ScanJob.Status.RUNNING)
    protected = scan.repository.enabled and scan.repository.is_installed
    return render(request, "onboarding/scan_results.html", {
        "scan": scan, "by_severity": [(s, f) for s, f in by_severity if f],
        "total": len(findings), "running": running, "protected": protected})


@login_required
@require_POST
def enable_protection(request: HttpRequest, public_id) -> HttpResponse:
    """Store an install request with a signed state and go to GitHub's install page."""
    scan = services.scan_for_user(_user(request), public_id)
    if scan is None:
        raise Http404("no such scan")
    try:
        plan = services.install_request_create(
            _user(request), scan, open_onboarding_pr=request.POST.get("onboarding_pr") == "on")
    except OnboardingError as error:
        messages.error(request, error.reason)
        return redirect("onboarding:scan-results", public_id=scan.public_id)
    return redirect(plan.redirect_url)


@require_GET
def github_setup(request: HttpRequest) -> HttpResponse:
    """The App's setup URL: ``?installation_id&setup_action&state``.

    With a state: only the signed-in user who started the install can complete it, and only
    for an installation GitHub lists for them. Without one (an install straight from GitHub
    or the Marketplace) the general confirmation is shown and nothing is linked here.
    """
    action = request.GET.get("setup_action", "install")
    state = request.GET.get("state", "")
    if not state:
        return _direct_setup(request, action)
    try:
        if not request.user.is_authenticated:
            services.install_request_from_state(state)  # a forged state needs no sign-in
            return redirect_to_login(request.get_full_path())
        outcome = services.setup_complete(
            user=_user(request), state=state,
            installation_id=request.GET.get("installation_id", ""), setup_action=action)
    except OnboardingError as error:
        return render(request, "onboarding/setup_refused.html", {"reason": error.reason},
                      status=400)
    for note in outcome.notes:
        messages.warning(request, note)
    return redirect("onboarding:install-request", pk=outcome.request.pk)


SETUP_ACTIONS = {
    "install": "Fortify is installed",
    "update": "Your Fortify installation was updated",
    "request": "Your request to install Fortify was sent",
}


def _direct_setup(request: HttpRequest, action: str) -> HttpResponse:
    """An install not started from Fortify's onboarding: a general confirmation."""
    title = SETUP_ACTIONS.get(action)
    if title is None:
        return render(request, "installations/setup.html",
                      {"title": "Unknown setup step", "action": action}, status=400)
    return render(request, "installations/setup.html", {"title": title, "action": action})


@login_required
@require_GET
def install_request(request: HttpRequest, pk: int) -> HttpResponse:
    """What is now active (or still being set up) after an onboarding install."""
    install = InstallRequest.objects.select_related("repository", "installation").filter(
        pk=pk, user=_user(request)).first()
    if install is None:
        raise Http404("no such install request")
    repository = install.repository
    if repository is not None:
        repository.refresh_from_db()
    settling = (install.status == InstallRequest.Status.COMPLETED and repository is not None
                and repository.enabled and repository.branch_protection_status
                == Repository.ProtectionStatus.NOT_CONFIGURED)
    membership = install.installation.memberships.filter(user=_user(request)).first() if \
        install.installation else None
    return render(request, "onboarding/install_request.html", {
        "install": install, "repository": repository, "settling": settling,
        "membership": membership,
        "statuses": InstallRequest.Status, "protection": Repository.ProtectionStatus})
