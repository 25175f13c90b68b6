"""Operational state kept by the project package itself."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last sign of life of one Celery worker, written by the worker every few seconds.

    The health endpoint's ``workers`` component reads these rows: no fresh heartbeat means no
    worker is taking tasks, whatever the broker says.
    """

    hostname = models.CharField(max_length=255, unique=True,
                                help_text="The worker's node name (``name@host``).")
    pid = models.PositiveIntegerField(help_text="Process id of the worker's main process.")
    started_at = models.DateTimeField(help_text="When this worker process started.")
    last_seen = models.DateTimeField(db_index=True, help_text="The latest heartbeat.")

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.hostname} (pid {self.pid})"
