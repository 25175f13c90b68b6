"""System checks for settings whose combination matters."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from webhooks.conf import webhook_settings
from webhooks.routing import router


@register()
def processing_lease_outlives_tasks(app_configs, **kwargs) -> list[Error]:
    """A claim taken over while its worker still runs would process the event twice."""
    lease = webhook_settings().processing_lease.total_seconds()
    hard_limit = float(settings.CELERY_TASK_TIME_LIMIT or 0)
    if hard_limit and lease <= hard_limit:
        return [Error(
            f"WEBHOOK_PROCESSING_LEASE ({lease:.0f} s) must be longer than the Celery task "
            f"time limit ({hard_limit:.0f} s).",
            hint="Raise WEBHOOK_PROCESSING_LEASE; otherwise a slow event can be taken over "
                 "and processed twice.",
            id="webhooks.E001")]
    return []


@register()
def ignored_events_take_effect(app_configs, **kwargs) -> list[Error]:
    """An event both handled and ignored on purpose: the ignore entry is dead code."""
    return [Error(f"{event}.{action or '*'} is ignored on purpose but has handlers.",
                  hint="Remove the router.ignore(...) entry or the handler.",
                  id="webhooks.E002")
            for event, action in router.shadowed_ignores()]


@register()
def dispatch_mode_is_known(app_configs, **kwargs) -> list[Error]:
    """A misspelt mode would silently fall back to one of the two."""
    mode = webhook_settings().dispatch
    if mode not in {"auto", "publish"}:
        return [Error(f"WEBHOOK_DISPATCH is {mode!r}.",
                      hint='Use "auto" (pg_notify on PostgreSQL) or "publish".',
                      id="webhooks.E003")]
    return []
