"""Project-wide pages: the landing page and the health endpoint."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fortify_github import health


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    install_url = (
        f"{settings.GITHUB_WEB_URL}/apps/{settings.GITHUB_APP_SLUG}/installations/new"
        if settings.GITHUB_APP_SLUG
        else ""
    )
    return render(request, "landing.html", {"install_url": install_url})


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker always; ``?worker=1`` also round-trips a task to a worker."""
    components = {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
        "github_circuit": health.check_github_circuit(),
    }
    if request.GET.get("worker") in {"1", "true"}:
        components["worker"] = health.check_worker()
    status = health.overall(components)
    return JsonResponse(
        {"status": status, "timestamp": timezone.now().isoformat(), "components": components},
        status=200 if status != "unhealthy" else 503,
    )
