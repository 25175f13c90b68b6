"""One quick look at GitHub as the App, for health checks and ``check_config``.

Unlike the client's calls it never retries, never waits for a rate limit and uses a short
timeout: a probe answers "can we reach GitHub with our credentials right now", fast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests
from django.conf import settings

from fortify_github.github import metrics
from fortify_github.github.conf import conf
from fortify_github.github.http import ACCEPT
from fortify_github.github.ratelimit import remember_budget

ENDPOINT = "GET /app"


@dataclass(frozen=True)
class ProbeResult:
    """``outcome``: ``ok``, ``unconfigured``, ``bad_credentials``, ``unreachable``,
    ``rate_limited`` or ``error``."""

    outcome: str
    status_code: int | None = None
    app_slug: str = ""
    rate_limit: dict[str, float] = field(default_factory=dict)
    error: str = ""


def github_configured() -> bool:
    return bool(settings.GITHUB_APP_ID and (settings.GITHUB_APP_PRIVATE_KEY
                                            or settings.GITHUB_APP_PRIVATE_KEY_PATH))


def probe_app(timeout: float = 3.0) -> ProbeResult:
    """``GET /app`` with the App's JWT: reachability, credentials and the App's rate limit."""
    from fortify_github.github.auth import app_jwt

    if not github_configured():
        return ProbeResult("unconfigured", error="GITHUB_APP_ID or the private key is not set")
    try:
        token = app_jwt()
    except Exception as error:  # an unreadable key: the name of the problem, never the key
        return ProbeResult("bad_credentials", error=type(error).__name__)
    client_conf = conf()
    started = time.monotonic()
    try:
        response = requests.get(
            f"{client_conf.api_url}/app", timeout=(timeout, timeout),
            headers={"Authorization": f"Bearer {token}", "Accept": ACCEPT,
                     "X-GitHub-Api-Version": client_conf.api_version,
                     "User-Agent": client_conf.user_agent})
    except requests.RequestException as error:
        metrics.observe(ENDPOINT, "connection_error", None)
        return ProbeResult("unreachable", error=type(error).__name__)
    metrics.observe(ENDPOINT, response.status_code, time.monotonic() - started)
    budget = remember_budget("app", response.headers)
    rate_limit = budget.as_dict() if budget else {}
    if response.status_code == 200:
        slug = str((response.json() or {}).get("slug") or "")
        return ProbeResult("ok", 200, app_slug=slug, rate_limit=rate_limit)
    if response.status_code in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0":
        return ProbeResult("rate_limited", response.status_code, rate_limit=rate_limit,
                           error=f"HTTP {response.status_code}")
    if response.status_code in (401, 403, 404):
        return ProbeResult("bad_credentials", response.status_code, rate_limit=rate_limit,
                           error=f"HTTP {response.status_code}")
    return ProbeResult("error", response.status_code, rate_limit=rate_limit,
                       error=f"HTTP {response.status_code}")
