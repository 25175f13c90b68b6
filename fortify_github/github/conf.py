"""The client's tunables, read once from Django settings into a frozen object.

``fortify_github/settings.py`` is the one place that reads the environment and holds the
defaults; this module only converts and bounds. :func:`conf` is cached and rebuilt when a
``GITHUB_*`` setting changes (Django's ``setting_changed``, sent by tests' overrides).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from fortify_github.backoff import backoff_delay


@dataclass(frozen=True)
class GitHubSettings:
    api_url: str
    api_version: str
    user_agent: str
    jwt_issuer: str  # "app_id" or "client_id"
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
    token_refresh_margin: float

    def backoff(self, attempt: int) -> float:
        """Seconds before retrying a call after failed attempt ``attempt``."""
        return backoff_delay(attempt, base=self.retry_backoff_base, cap=self.retry_backoff_max)


# The name the client's modules have always used.
ClientConf = GitHubSettings


@cache
def conf() -> GitHubSettings:
    return GitHubSettings(
        api_url=str(settings.GITHUB_API_URL).rstrip("/"),
        api_version=str(settings.GITHUB_API_VERSION),
        user_agent=str(settings.GITHUB_USER_AGENT),
        jwt_issuer=str(settings.GITHUB_APP_JWT_ISSUER),
        connect_timeout=float(settings.GITHUB_HTTP_CONNECT_TIMEOUT),
        read_timeout=float(settings.GITHUB_HTTP_READ_TIMEOUT),
        retry_max_attempts=max(int(settings.GITHUB_RETRY_MAX_ATTEMPTS), 1),
        retry_backoff_base=float(settings.GITHUB_RETRY_BACKOFF_BASE),
        retry_backoff_max=float(settings.GITHUB_RETRY_BACKOFF_MAX),
        retry_max_total_wait=float(settings.GITHUB_RETRY_MAX_TOTAL_WAIT),
        rate_limit_max_wait=float(settings.GITHUB_RATE_LIMIT_MAX_WAIT),
        rate_limit_low_water=float(settings.GITHUB_RATE_LIMIT_LOW_WATER),
        content_per_minute=int(settings.GITHUB_CONTENT_REQUESTS_PER_MINUTE),
        content_per_hour=int(settings.GITHUB_CONTENT_REQUESTS_PER_HOUR),
        circuit_fail_max=max(int(settings.GITHUB_CIRCUIT_FAIL_MAX), 1),
        circuit_reset_seconds=float(settings.GITHUB_CIRCUIT_RESET_SECONDS),
        max_pages=max(int(settings.GITHUB_MAX_PAGES), 1),
        token_refresh_margin=float(settings.GITHUB_TOKEN_REFRESH_MARGIN),
    )


github_settings = conf


@receiver(setting_changed)
def _forget_on_change(*, setting: str, **_: Any) -> None:
    if setting.startswith("GITHUB_"):
        conf.cache_clear()
