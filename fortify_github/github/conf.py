"""The client's tunables, read from Django settings at call time (never at import).

Defaults live here too, so the client still works under settings that predate a tunable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ClientConf:
    api_url: str
    api_version: str
    user_agent: str
    connect_timeout: float
    read_timeout: float
    retry_max_attempts: int
    retry_backoff_base: float
    retry_backoff_max: float
    retry_max_total_wait: float
    rate_limit_max_wait: float
    rate_limit_low_water: float
    content_per_minute: int
    content_per_hour: int
    circuit_fail_max: int
    circuit_reset_seconds: float
    max_pages: int


def conf() -> ClientConf:
    def get(name: str, default: object) -> object:
        return getattr(settings, name, default)

    return ClientConf(
        api_url=str(settings.GITHUB_API_URL).rstrip("/"),
        api_version=str(get("GITHUB_API_VERSION", "2022-11-28")),
        user_agent=str(get("GITHUB_USER_AGENT", "Fortify-GitHub-App")),
        connect_timeout=float(get("GITHUB_HTTP_CONNECT_TIMEOUT", 5)),
        read_timeout=float(get("GITHUB_HTTP_READ_TIMEOUT", 30)),
        retry_max_attempts=max(int(get("GITHUB_RETRY_MAX_ATTEMPTS", 4)), 1),
        retry_backoff_base=float(get("GITHUB_RETRY_BACKOFF_BASE", 0.5)),
        retry_backoff_max=float(get("GITHUB_RETRY_BACKOFF_MAX", 8)),
        retry_max_total_wait=float(get("GITHUB_RETRY_MAX_TOTAL_WAIT", 30)),
        rate_limit_max_wait=float(get("GITHUB_RATE_LIMIT_MAX_WAIT", 10)),
        rate_limit_low_water=float(get("GITHUB_RATE_LIMIT_LOW_WATER", 0.05)),
        content_per_minute=int(get("GITHUB_CONTENT_REQUESTS_PER_MINUTE", 80)),
        content_per_hour=int(get("GITHUB_CONTENT_REQUESTS_PER_HOUR", 500)),
        circuit_fail_max=max(int(get("GITHUB_CIRCUIT_FAIL_MAX", 5)), 1),
        circuit_reset_seconds=float(get("GITHUB_CIRCUIT_RESET_SECONDS", 60)),
        max_pages=max(int(get("GITHUB_MAX_PAGES", 100)), 1),
    )
