"""Dashboard pages. Thin: access through ``installations.access``, work in services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.tokens import api_token_create, api_token_revoke
from checks.integrity import unscanned_from
from checks.models import ScanJob
from checks.selectors import scans_for
from dashboard import selectors
from dashboard.access import member_required
from dashboard.charts import trend_svg
from dashboard.forms import ApiTokenForm, RepositorySettingsForm, ScanFilterForm
from fortify_github.scanning import Severity
from installations import plans
from installations.access import can_manage, installations_for, repositories_for
from installations.models import Installation, Repository, SetupRun
from installations.setup import RepositoryChoice, setup_run_start


def _grant_url(installation: Installation) -> str:
    """Where an account owner reviews and accepts the App's permissions on GitHub."""
    if installation.account_type == Installation.AccountType.ORGANIZATION:
        return (f"{settings.GITHUB_WEB_URL}/organizations/{installation.account_login}"
                f"/settings/installations/{installation.installation_id}")
    return f"{settings.GITHUB_WEB_URL}/settings/installations/{installation.installation_id}"


@require_GET
@member_required
def scan_detail(request: HttpRequest, public_id) -> HttpResponse:
    """One scan and its findings, with the code and a link to the lines on GitHub (the check
    run's ``details_url``).

    Anyone may hold the link (it is on the pull request), so the link is not the key: a
    person who is not a member of the installation gets sign-in, then 404.
    """
    scan = get_object_or_404(scans_for(request.user).select_related("repository"),
                             public_id=public_id)
    findings = [(finding, selectors.github_line_url(
        settings.GITHUB_WEB_URL, scan, finding.path, finding.start_line, finding.end_line))
        for finding in scan.findings.all()]
    return render(request, "checks/scan_detail.html",
                  {"scan": scan, "findings": findings, "counts": scan.counts,
                   "unscanned": unscanned_from(scan.unscanned_files or []),
                   "suppressions": scan.suppressions or []})


@require_GET
@member_required
def scan_sarif_export(request: HttpRequest, public_id) -> HttpResponse:
    """The scan's findings as a SARIF 2.1.0 file (members only, like the scan page); only a
    completed scan has results to give."""
    import json

    from checks.sarif import scan_sarif

    scan = get_object_or_404(scans_for(request.user).select_related("repository"),
                             public_id=public_id)
    if scan.status != ScanJob.Status.COMPLETED:
        return JsonResponse(
            {"error": f"This scan is {scan.get_status_display().lower()}: a SARIF export "
                      "exists only for a completed scan."}, status=409)
    response = HttpResponse(json.dumps(scan_sarif(scan), indent=2),
                            content_type="application/sarif+json")
    response["Content-Disposition"] = f'attachment; filename="fortify-{scan.public_id}.sarif"'
    return response


@require_GET
@member_required
def home(request: HttpRequest) -> HttpResponse:
    installations = installations_for(request.user).order_by("account_login")
    install_url = (f"{settings.GITHUB_WEB_URL}/apps/{settings.GITHUB_APP_SLUG}/installations/new"
                   if settings.GITHUB_APP_SLUG else "")
    return render(request, "dashboard/home.html",
                  {"installations": installations, "install_url": install_url})


def _installation(request: HttpRequest, installation_id: int) -> Installation:
    return get_object_or_404(installations_for(request.user), installation_id=installation_id)


@require_GET
@member_required
def installation_detail(request: HttpRequest, installation_id: int) -> HttpResponse:
    installation = _installation(request, installation_id)
    return render(request, "dashboard/installation.html", {
        "installation": installation,
        "rows": selectors.repository_rows(installation),
        "allowance": plans.allowance_for(installation),
        "coming_changes": plans.coming_changes(installation),
        "grant_url": _grant_url(installation),
        "members": installation.memberships.select_related("user").order_by("user__username"),
        "can_manage": can_manage(request.user, installation),
        "setup_runs": installation.setup_runs.all()[:5],
    })


def _detect_once(installation: Installation) -> bool:
    """Queue language and framework detection for undetected repositories (once a minute)."""
    from installations.tasks import detect_repositories_task

    pending = installation.repositories.filter(is_installed=True, detected_at__isnull=True)
    if not pending.exists():
        return False
    if cache.add(f"detect-repositories:{installation.pk}", 1, timeout=60):
        transaction.on_commit(lambda: detect_repositories_task.delay(installation.pk))
    return True


@require_http_methods(["GET", "POST"])
@member_required
def installation_setup(request: HttpRequest, installation_id: int) -> HttpResponse:
    """The setup wizard: which repositories, how strict, protected or not."""
    installation = _installation(request, installation_id)
    repositories = list(installation.repositories.filter(is_installed=True, archived=False))
    manager = can_manage(request.user, installation)
    errors: list[str] = []
    if request.method == "POST":
        if not manager:
            return HttpResponseForbidden("Only the installation's owners and admins change "
                                         "its setup.")
        selected = set(request.POST.getlist("repository"))
        choices = []
        for repository in repositories:
            threshold = request.POST.get(f"threshold-{repository.pk}", repository.failure_threshold)
            choices.append(RepositoryChoice(
                repository=repository, enabled=str(repository.pk) in selected,
                failure_threshold=threshold,
                protect_branch=request.POST.get(f"protect-{repository.pk}") == "on"))
        unknown = selected - {str(r.pk) for r in repositories}
        if unknown:
            errors.append("Some selected repositories are not part of this installation.")
        else:
            try:
                run = setup_run_start(installation=installation, user=request.user,
                                      choices=choices)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                return redirect("dashboard:setup-run", run_id=run.pk)
    detecting = _detect_once(installation)
    return render(request, "dashboard/setup.html", {
        "installation": installation, "repositories": repositories, "manager": manager,
        "errors": errors, "detecting": detecting, "severities": Severity.choices,
        "allowance": plans.allowance_for(installation),
        "coming_changes": plans.coming_changes(installation),
        "posted": request.POST if request.method == "POST" else None,
    }, status=400 if errors else 200)


@require_GET
@member_required
def setup_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(
        SetupRun.objects.filter(installation__in=installations_for(request.user))
        .select_related("installation"), pk=run_id)
    finished = run.status in {SetupRun.Status.COMPLETED, SetupRun.Status.FAILED}
    return render(request, "dashboard/setup_run.html", {
        "run": run, "finished": finished,
        "percent": int(100 * run.done / run.total) if run.total else 100,
        "repositories": Repository.objects.filter(
            pk__in=[item["repository"] for item in run.items]) if finished else [],
    })


def _repository(request: HttpRequest, github_id: int) -> Repository:
    return get_object_or_404(repositories_for(request.user).select_related("installation"),
                             github_id=github_id)


@require_http_methods(["GET", "POST"])
@member_required
def repository_detail(request: HttpRequest, github_id: int) -> HttpResponse:
    from installations.services import repository_configure

    repository = _repository(request, github_id)
    manager = can_manage(request.user, repository.installation)
    form = RepositorySettingsForm(instance=repository)
    if request.method == "POST":
        if not manager:
            return HttpResponseForbidden("Only the installation's owners and admins change "
                                         "repository settings.")
        form = RepositorySettingsForm(request.POST, instance=repository)
        if form.is_valid():
            repository_configure(
                repository, failure_threshold=form.cleaned_data["failure_threshold"],
                scan_mode=form.cleaned_data["scan_mode"],
                excluded_paths=form.cleaned_data["excluded_paths_text"])
            messages.success(request, "Settings saved; they apply to the next scan.")
            return redirect("dashboard:repository", github_id=github_id)
        repository.refresh_from_db()
    filters = ScanFilterForm(request.GET or None)
    scans = repository.scans.select_related("repository").order_by("-queued_at")
    if filters.is_bound and filters.is_valid():
        scans = filters.apply(scans)
    page = Paginator(scans, 25).get_page(request.GET.get("page"))
    points = selectors.trend_points(repository)
    return render(request, "dashboard/repository.html", {
        "repository": repository, "form": form, "filters": filters, "page": page,
        "manager": manager, "open_findings": selectors.open_findings(repository),
        "chart": mark_safe(trend_svg(points, title=f"Findings over time in "  # noqa: S308
                                     f"{repository.full_name}")),  # built from escaped parts
        "allowed_by_plan": plans.scan_permitted(repository, None),
    }, status=400 if request.method == "POST" else 200)


@require_POST
@member_required
def repository_toggle(request: HttpRequest, github_id: int) -> HttpResponse:
    """Enable (optionally protecting the default branch) or disable, in the background."""
    repository = _repository(request, github_id)
    if not can_manage(request.user, repository.installation):
        return HttpResponseForbidden("Only the installation's owners and admins enable or "
                                     "disable repositories.")
    enable = request.POST.get("enabled") == "on"
    choice = RepositoryChoice(repository=repository, enabled=enable,
                              failure_threshold=repository.failure_threshold,
                              protect_branch=request.POST.get("protect_branch") == "on")
    try:
        run = setup_run_start(installation=repository.installation, user=request.user,
                              choices=[choice])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("dashboard:repository", github_id=github_id)
    return redirect("dashboard:setup-run", run_id=run.pk)


@require_GET
@member_required
def repository_trend(request: HttpRequest, github_id: int) -> HttpResponse:
    repository = _repository(request, github_id)
    svg = trend_svg(selectors.trend_points(repository),
                    title=f"Findings over time in {repository.full_name}")
    return HttpResponse(svg, content_type="image/svg+xml")


@require_http_methods(["GET", "POST"])
@member_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's account: who they are, their installations, their API tokens."""
    new_token = ""
    form = ApiTokenForm()
    status = 200
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                token_id = int(request.POST["revoke"])
            except ValueError:
                token_id = 0
            token = api_token_revoke(user=request.user, token_id=token_id)
            if token is None:
                messages.error(request, "No such token.")
            else:
                messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
            return redirect("dashboard:account")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _, new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
                form = ApiTokenForm()
            except ValidationError as error:
                form.add_error("name", error)
        if form.errors:
            status = 400
    response = render(request, "dashboard/account.html", {
        "tokens": request.user.api_tokens.all(), "form": form, "new_token": new_token,
        "installations": installations_for(request.user),
    }, status=status)
    if new_token:
        response["Cache-Control"] = "no-store"  # the token is shown once and never cached
    return response
