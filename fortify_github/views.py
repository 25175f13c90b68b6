"""Project-wide pages: the landing page, health endpoints and metrics."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from fortify_github import access, health
from fortify_github.metrics import export_registry


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    install_url = (
        f"{settings.GITHUB_WEB_URL}/apps/{settings.GITHUB_APP_SLUG}/installations/new"
        if settings.GITHUB_APP_SLUG
        else ""
    )
    return render(request, "landing.html", {"install_url": install_url})


def _health_response(request: HttpRequest,
                     components: dict[str, dict[str, object]]) -> JsonResponse:
    """``{status, timestamp, components}``: 200 unless a component is unhealthy (503).

    ``?worker=1`` adds a round trip through a worker, for operators only (it holds a web
    thread for up to 3 s): a signed-in staff user or the ``METRICS_BEARER_TOKEN``.
    """
    if request.GET.get("worker") in {"1", "true"}:
        if not access.is_operator(request):
            return JsonResponse(
                {"error": "the worker round trip is for operators: sign in as staff or send "
                          "Authorization: Bearer <METRICS_BEARER_TOKEN>"}, status=403)
        components["worker"] = health.check_worker()
    status = health.overall(components)
    return JsonResponse(
        {"status": status, "timestamp": timezone.now().isoformat(), "components": components},
        status=200 if status != "unhealthy" else 503,
    )


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Database, cache, broker and the GitHub circuit breaker (the short form)."""
    return _health_response(request, {
        "database": health.check_database(),
        "cache": health.check_cache(),
        "broker": health.check_broker(),
        "github_circuit": health.check_github_circuit(),
    })


@never_cache
@require_GET
def github_integration_health(request: HttpRequest) -> JsonResponse:
    """The design's ``GET /health/github-integration``: every component of the integration."""
    return _health_response(request, health.integration_components())


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """The process answers (touches nothing else): restart it when this fails."""
    return JsonResponse({"status": "alive", "timestamp": timezone.now().isoformat()})


@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """This web process can serve: send it traffic only while this is 200."""
    return _health_response(request, health.readiness_components())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics of every process (multiprocess mode) for allowed scrapers only:
    clients in ``METRICS_ALLOWED_NETWORKS``, staff, or ``METRICS_BEARER_TOKEN`` holders."""
    if not access.may_read_metrics(request):
        return JsonResponse({"error": "metrics are restricted: send Authorization: Bearer "
                                      "<METRICS_BEARER_TOKEN> or scrape from an allowed "
                                      "network (METRICS_ALLOWED_NETWORKS)"}, status=403)
    return HttpResponse(generate_latest(export_registry()), content_type=CONTENT_TYPE_LATEST)
