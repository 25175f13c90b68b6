"""Retention: the periodic prune of what is old enough to go (``RETENTION_*`` settings)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


def scans_prune(*, older_than: timedelta, batch_size: int = 500) -> int:
    """Delete finished scans (with their findings and check-run rows) queued before
    ``older_than`` ago; unfinished scans are never touched."""
    from checks.models import ScanJob

    queryset = ScanJob.objects.exclude(
        status__in=[ScanJob.Status.QUEUED, ScanJob.Status.RUNNING],
    ).filter(queued_at__lt=timezone.now() - older_than)
    deleted = 0
    while batch := list(queryset.values_list("pk", flat=True)[:batch_size]):
        deleted += ScanJob.objects.filter(pk__in=batch).delete()[1].get("checks.ScanJob", 0)
    return deleted


def heartbeats_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    from fortify_github.models import WorkerHeartbeat

    return WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - older_than).delete()[0]


def records_prune() -> dict[str, int]:
    """What the ``retention-prune`` periodic job does; a setting of 0 days keeps everything."""
    from webhooks.services import webhook_events_prune

    counts = {"events": 0, "scans": 0, "heartbeats": heartbeats_prune()}
    if settings.RETENTION_EVENTS_DAYS > 0:
        counts["events"] = webhook_events_prune(
            older_than=timedelta(days=settings.RETENTION_EVENTS_DAYS))
    if settings.RETENTION_SCANS_DAYS > 0:
        counts["scans"] = scans_prune(older_than=timedelta(days=settings.RETENTION_SCANS_DAYS))
    log.info("retention: pruned %(events)d event(s), %(scans)d scan(s), "
             "%(heartbeats)d heartbeat(s)", counts)
    return counts
