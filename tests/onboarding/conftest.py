"""Signing in through the sandbox's real OAuth pages with Django's test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests


def authorize_on_github(client, sandbox, login: str, *, next_url: str = "/onboarding/"):
    """Start sign-in here, approve on the sandbox as ``login``; returns the callback URL
    (path and query) GitHub redirects the browser to, not yet followed."""
    started = client.post("/auth/login/github/", {"next": next_url})
    assert started.status_code == 302, started.content
    query = parse_qs(urlsplit(started["Location"]).query)
    approved = requests.post(f"{sandbox.url}/login/oauth/authorize", data={
        "client_id": query["client_id"][0], "redirect_uri": query["redirect_uri"][0],
        "state": query["state"][0], "login": login, "decision": "authorize"},
        allow_redirects=False, timeout=10)
    assert approved.status_code == 302
    callback = urlsplit(approved.headers["Location"])
    return f"{callback.path}?{callback.query}"


@pytest.fixture
def sign_in(client, github_settings):
    """``sign_in("octocat")`` signs the test client in through the sandbox; returns the user."""
    from accounts.models import User

    def sign_in(login: str, *, client=client):
        response = client.get(authorize_on_github(client, github_settings, login))
        assert response.status_code == 302, response.content
        return User.objects.get(github_login=login)

    return sign_in
