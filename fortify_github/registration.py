"""Registering Fortify's GitHub App from a manifest (as Probot does).

https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest

The manifest names what the product needs; GitHub creates the App under the operator's account
(or an organization) and hands back a one-time code, which ``app_registration_complete``
converts into the App's id, slug, private key, webhook secret and OAuth credentials.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# Every event the product subscribes to (installation events are sent to every App).
APP_EVENTS = ["check_run", "check_suite", "pull_request", "repository"]
# What the handlers use: check runs, reading code, PR metadata, and branch protection.
APP_PERMISSIONS = {
    "administration": "write",
    "checks": "write",
    "contents": "read",
    "metadata": "read",
    "pull_requests": "write",
}


def app_manifest(*, name: str = "Fortify", public_url: str | None = None) -> dict[str, Any]:
    """The App manifest for this deployment, its URLs under ``FORTIFY_PUBLIC_URL``."""
    base = (public_url or settings.FORTIFY_PUBLIC_URL).rstrip("/")
    return {
        "name": name,
        "url": base + "/",
        "description": "Fortify Security Scan on every pull request.",
        "hook_attributes": {"url": f"{base}/api/webhooks/github", "active": True},
        "redirect_url": f"{base}/github/app/registered",
        "callback_urls": [f"{base}/auth/github/callback"],
        "setup_url": f"{base}/github/setup",
        "setup_on_update": True,
        "public": False,
        "default_permissions": dict(APP_PERMISSIONS),
        "default_events": list(APP_EVENTS),
    }


def manifest_post_url(organization: str = "") -> str:
    """Where the operator's browser posts the manifest (their account or an organization)."""
    web = settings.GITHUB_WEB_URL.rstrip("/")
    if organization:
        return f"{web}/organizations/{organization}/settings/apps/new"
    return f"{web}/settings/apps/new"


@dataclass(frozen=True)
class AppRegistration:
    """The new App's credentials: shown once, never stored by Fortify."""

    app_id: int
    slug: str
    html_url: str
    private_key_pem: str
    webhook_secret: str
    client_id: str
    client_secret: str

    def environment(self) -> str:
        """The settings lines for this App (the key as base64 of its PEM: one line)."""
        key = base64.b64encode(self.private_key_pem.encode()).decode()
        return "\n".join([
            f"GITHUB_APP_ID={self.app_id}",
            f"GITHUB_APP_SLUG={self.slug}",
            f"GITHUB_APP_PRIVATE_KEY={key}",
            f"GITHUB_WEBHOOK_SECRET={self.webhook_secret}",
            f"GITHUB_CLIENT_ID={self.client_id}",
            f"GITHUB_CLIENT_SECRET={self.client_secret}",
        ]) + "\n"


def app_registration_complete(code: str) -> AppRegistration:
    """Convert the code GitHub redirected with into the App's credentials (works once)."""
    from fortify_github.github import anonymous_client

    data = anonymous_client().create_app_from_manifest(code)
    return AppRegistration(
        app_id=int(data["id"]), slug=str(data["slug"]), html_url=str(data.get("html_url") or ""),
        private_key_pem=str(data["pem"]), webhook_secret=str(data.get("webhook_secret") or ""),
        client_id=str(data.get("client_id") or ""),
        client_secret=str(data.get("client_secret") or ""))
