"""Friendly error pages in development too."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.defaults import page_not_found


class FriendlyNotFoundMiddleware:
    """With ``DEBUG`` on, Django answers an unknown address with its technical page, which
    lists every URL pattern: fine for the developer who asked for it, confusing for anyone
    trying the demo. Show the ordinary 404 page instead, unless ``DJANGO_DEBUG_TECHNICAL_404``
    is set. JSON answers (API, health) are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 404 and settings.DEBUG
                and not settings.DEBUG_TECHNICAL_404
                and response.get("Content-Type", "").startswith("text/html")
                and b"<code>DEBUG = True</code>" in getattr(response, "content", b"")):
            return page_not_found(request, exception=None)
        return response
