"""The one place scan work is enqueued, and each message's due time recorded beside it.

The row says when its task is due (``next_attempt_at``), so a message the broker loses is
noticed by ``checks.sweep_scans`` and sent again: the scans' outbox. Handlers call
``*_on_commit`` so a worker never looks for a row that is not committed yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from checks.models import CheckRun, ScanJob


def _due(countdown: float | None) -> datetime:
    return timezone.now() + timedelta(seconds=countdown or 0)


def scan_enqueue(scan_pk: int, *, countdown: float | None = None) -> None:
    """Send ``checks.run_scan`` for a scan."""
    from checks.tasks import run_scan_task

    ScanJob.objects.filter(pk=scan_pk, status=ScanJob.Status.QUEUED).update(
        next_attempt_at=_due(countdown))
    run_scan_task.apply_async(args=(scan_pk,), countdown=countdown or 0)


def check_run_start_enqueue(scan_pk: int) -> None:
    """Send ``checks.start_check_run``: create the ``in_progress`` run, then scan."""
    from checks.tasks import start_check_run_task

    ScanJob.objects.filter(pk=scan_pk, status=ScanJob.Status.QUEUED).update(
        next_attempt_at=_due(None))
    CheckRun.objects.filter(scan_id=scan_pk).update(next_attempt_at=_due(None))
    start_check_run_task.delay(scan_pk)


def check_run_finish_enqueue(scan_pk: int, *, countdown: float | None = None) -> None:
    """Send ``checks.finish_check_run``: complete the run as the scan's row says."""
    from checks.tasks import finish_check_run_task

    CheckRun.objects.filter(scan_id=scan_pk).update(next_attempt_at=_due(countdown))
    finish_check_run_task.apply_async(args=(scan_pk,), countdown=countdown or 0)


def check_run_start_on_commit(scan_pk: int) -> None:
    transaction.on_commit(partial(check_run_start_enqueue, scan_pk))


def check_run_finish_on_commit(scan_pk: int) -> None:
    transaction.on_commit(partial(check_run_finish_enqueue, scan_pk))


# What a webhook handler of this app may enqueue: tests run these callbacks in-process.
CHECK_RUN_ENQUEUERS = (check_run_start_enqueue, check_run_finish_enqueue)
