"""``manage.py check_config``: every setting validated, every service it names asked.

Each check yields a ``Finding``; messages name variables and hosts, never secrets.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from fortify_github.environment import invalid_fernet_keys, production_problems


@dataclass(frozen=True)
class Finding:
    subject: str
    ok: bool
    message: str


def _safe_address(url: str) -> str:
    """``scheme://host:port/path`` without user or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_settings() -> list[Finding]:
    findings: list[Finding] = []
    if not settings.DEBUG:
        problems = production_problems()
        findings += [Finding("production", False, problem) for problem in problems]
        if not problems:
            findings.append(Finding("production", True, "every production secret is set"))
        return findings
    # Development: nothing is required, but what is set must be well-formed.
    from fortify_github.github.keys import PrivateKeyError, load_private_key

    if settings.GITHUB_APP_PRIVATE_KEY or settings.GITHUB_APP_PRIVATE_KEY_PATH:
        try:
            load_private_key(pem=settings.GITHUB_APP_PRIVATE_KEY,
                             path=settings.GITHUB_APP_PRIVATE_KEY_PATH)
            findings.append(Finding("private key", True, "the App's private key parses"))
        except PrivateKeyError as error:
            findings.append(Finding("private key", False, str(error)))
    if bad := invalid_fernet_keys(list(settings.TOKEN_ENCRYPTION_KEYS)):
        findings.append(Finding("encryption", False, "TOKEN_ENCRYPTION_KEY key #"
                                + ", ".join(map(str, bad)) + " is not a valid Fernet key."))
    return findings


def check_database() -> Finding:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Finding("database", True, f"{connection.vendor} answers")
    except Exception as error:
        return Finding("database", False, f"the database does not answer ({type(error).__name__})")


def check_redis() -> Finding | None:
    if not settings.REDIS_URL:
        return None
    import redis

    address = _safe_address(settings.REDIS_URL)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2,
                             socket_timeout=2).ping()
        return Finding("redis", True, f"Redis at {address} answers")
    except Exception as error:
        return Finding("redis", False,
                       f"Redis at {address} does not answer ({type(error).__name__}); "
                       "check REDIS_URL")


def check_github() -> Finding:
    from fortify_github.github.probe import github_configured, probe_app

    if not github_configured():
        return Finding("github", settings.DEBUG,
                       "no GitHub App configured (GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY or "
                       "GITHUB_APP_PRIVATE_KEY_PATH)")
    result = probe_app()
    where = _safe_address(settings.GITHUB_API_URL)
    if result.outcome == "ok":
        return Finding("github", True, f"{where} accepts the App's JWT (App "
                                       f"{result.app_slug or settings.GITHUB_APP_ID})")
    explanation = {
        "bad_credentials": "refuses the App's credentials: check GITHUB_APP_ID and the "
                           "private key",
        "unreachable": "cannot be reached: check GITHUB_API_URL and the network",
        "rate_limited": "rate-limits the App right now",
    }.get(result.outcome, "answers with an error")
    return Finding("github", False, f"{where} {explanation} ({result.error})")


def configuration_report() -> list[Finding]:
    findings = check_settings()
    findings.append(check_database())
    if (redis_finding := check_redis()) is not None:
        findings.append(redis_finding)
    findings.append(check_github())
    return findings
