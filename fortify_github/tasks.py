"""Project-level tasks that belong to no domain app."""

from __future__ import annotations

import os
import socket

from celery import shared_task


@shared_task(name="fortify.ping", acks_late=False, ignore_result=False)
def ping(token: str) -> dict[str, object]:
    """Answer with who ran the task, so health checks and tests can see a real worker did."""
    return {"token": token, "hostname": socket.gethostname(), "pid": os.getpid()}


@shared_task(name="fortify.prune_old_records", acks_late=True)
def prune_old_records() -> dict[str, int]:
    """The retention job: delete old events, scans and heartbeats (see ``retention``)."""
    from fortify_github.retention import records_prune

    return records_prune()
