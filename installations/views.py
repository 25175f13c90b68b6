"""The App's setup URL: where GitHub sends people after they install or change the App."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# https://docs.github.com/apps/creating-github-apps/registering-a-github-app/about-the-setup-url
SETUP_ACTIONS = {
    "install": "Fortify is installed",
    "update": "Your Fortify installation was updated",
    "request": "Your request to install Fortify was sent",
}


@require_GET
def github_setup(request: HttpRequest) -> HttpResponse:
    """Confirm the installation in general terms.

    The query string is not proof of anything (anyone can type an installation id), so this
    page shows no installation data; what GitHub installed arrives by signed webhook.
    Linking the installation to a signed-in account comes with sign-in.
    """
    action = request.GET.get("setup_action", "install")
    title = SETUP_ACTIONS.get(action)
    if title is None:
        return render(request, "installations/setup.html",
                      {"title": "Unknown setup step", "action": action}, status=400)
    return render(request, "installations/setup.html", {"title": title, "action": action})
