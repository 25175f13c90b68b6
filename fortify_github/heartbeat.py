"""Worker heartbeats: each Celery worker's main process writes a row every few seconds.

A thread rather than a periodic task, so a worker busy with long scans (or a deployment whose
beat is down) still reports that it is alive.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)

_stop = threading.Event()
_hostname: list[str] = []  # this process's worker name, once its heartbeat started


def heartbeat_write(*, hostname: str, started_at: object) -> None:
    from fortify_github.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={"pid": os.getpid(), "started_at": started_at, "last_seen": timezone.now()},
    )


def heartbeat_start(hostname: str) -> threading.Thread:
    """Start the heartbeat thread of this worker (called on Celery's ``worker_ready``)."""
    started_at = timezone.now()
    interval = float(settings.HEALTH_WORKER_HEARTBEAT_INTERVAL)

    def beat() -> None:
        while True:
            try:
                close_old_connections()
                heartbeat_write(hostname=hostname, started_at=started_at)
            except Exception as error:  # the database may be down for a while; keep trying
                log.warning("worker heartbeat not written (%s)", type(error).__name__)
            if _stop.wait(interval):
                return

    _stop.clear()
    _hostname[:] = [hostname]
    thread = threading.Thread(target=beat, name="fortify-heartbeat", daemon=True)
    thread.start()
    return thread


def heartbeat_stop() -> None:
    """A worker shutting down cleanly removes its row, so health does not wait for it."""
    from fortify_github.models import WorkerHeartbeat

    _stop.set()
    if not _hostname:
        return
    try:
        close_old_connections()
        WorkerHeartbeat.objects.filter(hostname=_hostname[0], pid=os.getpid()).delete()
    except Exception as error:
        log.warning("worker heartbeat not removed (%s)", type(error).__name__)
