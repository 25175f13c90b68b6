"""System checks for settings whose combination matters."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def processing_lease_outlives_tasks(app_configs, **kwargs) -> list[Error]:
    """A claim taken over while its worker still runs would process the event twice."""
    lease = float(getattr(settings, "WEBHOOK_PROCESSING_LEASE", 600))
    hard_limit = float(getattr(settings, "CELERY_TASK_TIME_LIMIT", 0) or 0)
    if hard_limit and lease <= hard_limit:
        return [Error(
            f"WEBHOOK_PROCESSING_LEASE ({lease:.0f} s) must be longer than the Celery task "
            f"time limit ({hard_limit:.0f} s).",
            hint="Raise WEBHOOK_PROCESSING_LEASE; otherwise a slow event can be taken over "
                 "and processed twice.",
            id="webhooks.E001")]
    return []
