"""``/github/app/register``: register the GitHub App from its manifest, in the browser.

Open to anyone while no App is configured (the first five minutes of a deployment), to staff
afterwards. The credentials GitHub returns are shown once and never stored.
"""

from __future__ import annotations

import json
import logging
import re
import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fortify_github import access
from fortify_github.github.errors import GitHubError
from fortify_github.github.probe import github_configured
from fortify_github.registration import (
    app_manifest,
    app_registration_complete,
    manifest_post_url,
)

log = logging.getLogger(__name__)

SESSION_STATE = "fortify_app_manifest_state"
ORGANIZATION = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
NAME = re.compile(r"^[\w .()-]{1,34}$")


def _forbidden(request: HttpRequest) -> HttpResponse | None:
    if github_configured() and not access.is_operator(request):
        return render(request, "registration/message.html", {
            "title": "An App is already configured",
            "message": "This deployment already has a GitHub App. Sign in to the admin as "
                       "staff to register another one."}, status=403)
    return None


@never_cache
@require_GET
def app_register(request: HttpRequest) -> HttpResponse:
    """The manifest, ready to post to GitHub (``?organization=`` for an organization's App)."""
    if refused := _forbidden(request):
        return refused
    organization = request.GET.get("organization", "").strip()
    name = request.GET.get("name", "").strip() or "Fortify"
    problems = []
    if organization and not ORGANIZATION.fullmatch(organization):
        problems.append("The organization must be a GitHub login (letters, digits, hyphens).")
    if not NAME.fullmatch(name):
        problems.append("The App name must be 1 to 34 letters, digits, spaces or . ( ) -.")
    if problems:
        return render(request, "registration/register.html",
                      {"problems": problems, "organization": organization, "name": name},
                      status=400)
    state = secrets.token_urlsafe(24)
    request.session[SESSION_STATE] = state
    return render(request, "registration/register.html", {
        "organization": organization, "name": name, "state": state,
        "post_url": manifest_post_url(organization),
        "manifest": json.dumps(app_manifest(name=name), indent=2),
    })


@never_cache
@require_GET
def app_registered(request: HttpRequest) -> HttpResponse:
    """GitHub's redirect after the App was created: convert the code, show the settings."""
    if refused := _forbidden(request):
        return refused
    code, state = request.GET.get("code", ""), request.GET.get("state", "")
    expected = request.session.pop(SESSION_STATE, None)
    if not code or not expected or not secrets.compare_digest(state, expected):
        return render(request, "registration/message.html", {
            "title": "Registration link expired",
            "message": "This page only works right after GitHub created the App from this "
                       "browser. Start again from the registration page."}, status=400)
    try:
        registration = app_registration_complete(code)
    except GitHubError as error:
        log.warning("App manifest conversion failed (%s)", type(error).__name__)
        return render(request, "registration/message.html", {
            "title": "GitHub did not convert the code",
            "message": "The code may have been used already or expired (it lasts an hour). "
                       "Start again from the registration page."}, status=502)
    log.info("GitHub App %s registered from the manifest", registration.slug)
    return render(request, "registration/registered.html",
                  {"registration": registration, "environment": registration.environment()})
