"""Scan tasks name their scan in every log line, with the delivery that started it, its
installation and repository (``fortify_github.logcontext``), the GitHub client's lines
included. A Celery signal, so the tasks in ``checks.tasks`` need no change: every task of
this app whose first argument (or ``scan_pk``) is a scan's primary key is covered."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import task_prerun

from fortify_github import logcontext

logger = logging.getLogger(__name__)


def _scan_pk(args: Any, kwargs: Any) -> int | None:
    value = (kwargs or {}).get("scan_pk", args[0] if args else None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@task_prerun.connect(weak=False, dispatch_uid="checks-scan-log-context")
def bind_scan(task: Any = None, args: Any = None, kwargs: Any = None, **_: Any) -> None:
    if not str(getattr(task, "name", "")).startswith("checks."):
        return
    scan_pk = _scan_pk(args, kwargs)
    if scan_pk is None:
        return
    from checks.models import ScanJob

    try:
        scan = (ScanJob.objects.select_related("repository", "installation")
                .filter(pk=scan_pk).first())
    except Exception as error:  # the task itself will meet (and handle) the database error
        logger.warning("scan %s: log context not loaded (%s)", scan_pk, type(error).__name__)
        scan = None
    if scan is None:
        logcontext.bind(scan=scan_pk)
        return
    logcontext.bind(
        scan=scan.public_id, delivery=scan.trigger_delivery,
        installation=scan.installation.installation_id if scan.installation else None,
        repository=scan.repository.full_name)
