"""The webhook pipeline's tunables, read once from Django settings into a frozen object.

``fortify_github/settings.py`` is the one place that reads the environment and holds the
defaults; this module only converts. The object is cached and rebuilt when a test overrides
a ``WEBHOOK_*`` setting (Django's ``setting_changed`` signal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from fortify_github.backoff import backoff_delay


@dataclass(frozen=True)
class WebhookSettings:
    max_attempts: int  # attempts of one event before it fails for good
    processing_lease: timedelta  # a claim older than this belongs to a dead worker
    requeue_after: timedelta  # a pending event this overdue lost its broker message
    retry_backoff_base: float
    retry_backoff_max: float
    redeliver_window: timedelta  # how far back GitHub's failed deliveries are redelivered
    redeliver_max_attempts: int  # redeliveries of one GUID at most
    max_body_bytes: int
    extra_handler_modules: tuple[str, ...]
    dispatch: str  # "auto": pg_notify on PostgreSQL, else publish; "publish": always publish

    def backoff(self, attempt: int, hinted: float | None = None) -> float:
        """Seconds before the attempt after ``attempt``: the shared policy, these bounds."""
        return backoff_delay(attempt, base=self.retry_backoff_base,
                             cap=self.retry_backoff_max, hinted=hinted)


@cache
def webhook_settings() -> WebhookSettings:
    return WebhookSettings(
        max_attempts=max(int(settings.WEBHOOK_MAX_ATTEMPTS), 1),
        processing_lease=timedelta(seconds=float(settings.WEBHOOK_PROCESSING_LEASE)),
        requeue_after=timedelta(seconds=float(settings.WEBHOOK_PENDING_REQUEUE_AFTER)),
        retry_backoff_base=float(settings.WEBHOOK_RETRY_BACKOFF_BASE),
        retry_backoff_max=float(settings.WEBHOOK_RETRY_BACKOFF_MAX),
        redeliver_window=timedelta(seconds=float(settings.WEBHOOK_REDELIVER_WINDOW)),
        redeliver_max_attempts=int(settings.WEBHOOK_REDELIVER_MAX_ATTEMPTS),
        max_body_bytes=int(settings.WEBHOOK_MAX_BODY_BYTES),
        extra_handler_modules=tuple(settings.WEBHOOK_EXTRA_HANDLER_MODULES),
        dispatch=str(settings.WEBHOOK_DISPATCH),
    )


@receiver(setting_changed)
def _forget_on_change(*, setting: str, **_: Any) -> None:
    if setting.startswith("WEBHOOK_"):
        webhook_settings.cache_clear()
