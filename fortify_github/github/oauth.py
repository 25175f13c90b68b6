"""User tokens from GitHub's OAuth endpoint: code exchange and refresh.

https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
GitHub answers errors here with HTTP 200 and ``{"error": ...}``; we turn them into
``OAuthError``. A refresh token works once, so a refresh whose answer is lost is never
repeated blindly (the caller holds a row lock and re-reads before trying again).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from django.conf import settings

from fortify_github.github import metrics
from fortify_github.github.conf import conf
from fortify_github.github.errors import GitHubError, ServerError, Unavailable

logger = logging.getLogger("fortify_github.github")
ENDPOINT = "POST /login/oauth/access_token"


class OAuthError(GitHubError):
    """GitHub refused the exchange; ``error`` is its code (``bad_verification_code``...)."""

    def __init__(self, message: str, *, error: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.error = error


class BadRefreshToken(OAuthError):
    """The refresh token is expired, used or revoked: the user must sign in again."""


@dataclass(frozen=True)
class UserToken:
    access_token: str = field(repr=False)
    token_type: str
    scope: str
    expires_at: datetime | None
    refresh_token: str = field(default="", repr=False)
    refresh_token_expires_at: datetime | None = None

    @classmethod
    def from_response(cls, data: dict[str, Any], *, now: datetime | None = None) -> UserToken:
        now = now or datetime.now(UTC)

        def later(seconds: Any) -> datetime | None:
            return now + timedelta(seconds=int(seconds)) if seconds else None

        return cls(access_token=data["access_token"], token_type=data.get("token_type", "bearer"),
                   scope=data.get("scope", ""), expires_at=later(data.get("expires_in")),
                   refresh_token=data.get("refresh_token", ""),
                   refresh_token_expires_at=later(data.get("refresh_token_expires_in")))


def _post(fields: dict[str, str]) -> dict[str, Any]:
    settings_now = conf()
    url = f"{settings.GITHUB_WEB_URL.rstrip('/')}/login/oauth/access_token"
    body = {"client_id": settings.GITHUB_CLIENT_ID,
            "client_secret": settings.GITHUB_CLIENT_SECRET, **fields}
    started = time.monotonic()
    try:
        response = requests.post(
            url, data=body, timeout=(settings_now.connect_timeout, settings_now.read_timeout),
            headers={"Accept": "application/json", "User-Agent": settings_now.user_agent},
        )
    except requests.RequestException as error:
        metrics.observe(ENDPOINT, "connection_error", time.monotonic() - started)
        raise Unavailable(f"could not reach GitHub's OAuth endpoint ({type(error).__name__})",
                          endpoint=ENDPOINT) from None
    duration = time.monotonic() - started
    metrics.observe(ENDPOINT, response.status_code, duration)
    logger.info("GitHub %s -> %s in %.0f ms", ENDPOINT, response.status_code, duration * 1000)
    if response.status_code >= 500:
        raise ServerError("GitHub's OAuth endpoint failed", endpoint=ENDPOINT,
                          status=response.status_code)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if response.status_code < 400:
            raise GitHubError("GitHub's OAuth endpoint did not answer a JSON object",
                              endpoint=ENDPOINT, status=response.status_code)
        data = {}
    # A 401 or an ``error`` both mean the grant (or the code) is not usable.
    if data.get("error") or response.status_code >= 400:
        code = str(data.get("error") or f"http_{response.status_code}")
        error_class = BadRefreshToken if code == "bad_refresh_token" else OAuthError
        raise error_class(str(data.get("error_description") or code), error=code,
                          endpoint=ENDPOINT, status=response.status_code)
    if not data.get("access_token"):
        raise GitHubError("GitHub's OAuth answer had no access token", endpoint=ENDPOINT)
    return data


def exchange_code(code: str, *, redirect_uri: str | None = None,
                  code_verifier: str | None = None) -> UserToken:
    """The user's token for an authorization ``code`` from the OAuth callback."""
    fields = {"code": code}
    if redirect_uri:
        fields["redirect_uri"] = redirect_uri
    if code_verifier:
        fields["code_verifier"] = code_verifier
    return UserToken.from_response(_post(fields))


def refresh_user_token(refresh_token: str) -> UserToken:
    """A new access/refresh pair; the old refresh token stops working."""
    return UserToken.from_response(_post({"grant_type": "refresh_token",
                                          "refresh_token": refresh_token}))
