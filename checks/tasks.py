"""Thin Celery tasks for scans; the work lives in ``checks.services``."""

from __future__ import annotations

import logging
import random

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)


def backoff(retries: int, at_least: float | None = None) -> float:
    """Exponential backoff with jitter, never sooner than GitHub asked (``retry_after``)."""
    delay = min(2 ** retries * 5, 300) * (0.5 + random.random())  # noqa: S311 - jitter
    return max(delay, at_least or 0)


@shared_task(bind=True, name="checks.run_scan", max_retries=None)
def run_scan_task(self, scan_pk: int) -> str:
    """Scan and report; transient failures retry, the final failure completes the run."""
    from checks import services
    from checks.engines import EngineError, EngineTimeout
    from fortify_github.github.errors import TransientGitHubError

    try:
        return services.run_scan(scan_pk).status
    except (TransientGitHubError, EngineTimeout) as error:
        if self.request.retries < settings.SCAN_MAX_RETRIES:
            countdown = backoff(self.request.retries, getattr(error, "retry_after", None))
            logger.warning("scan %s: %s, retrying in %.0f s", scan_pk, type(error).__name__,
                           countdown)
            raise self.retry(countdown=countdown) from None
        reason = ("A scan engine timed out." if isinstance(error, EngineTimeout)
                  else "GitHub could not be reached reliably.")
        reference = services.new_reference()
        logger.error("scan %s failed after retries (reference %s): %s", scan_pk, reference,
                     type(error).__name__)
        services.fail_scan(scan_pk, reason=reason, reference=reference)
        return "failed"
    except EngineError as error:
        reference = services.new_reference()
        logger.error("scan %s: engine %s failed (reference %s): %s", scan_pk, error.engine,
                     reference, error.reason)
        services.fail_scan(scan_pk, reason=f"The {error.engine} engine failed.",
                           reference=reference)
        return "failed"
    except Exception:
        reference = services.new_reference()
        logger.exception("scan %s failed unexpectedly (reference %s)", scan_pk, reference)
        services.fail_scan(scan_pk, reason="Unexpected error.", reference=reference)
        return "failed"


@shared_task(bind=True, name="checks.complete_check_run", max_retries=8)
def complete_check_run_task(self, scan_pk: int, *, conclusion: str, output: dict,
                            actions: list | None = None) -> None:
    """Finish a run that could not be completed inline (GitHub failed at that moment)."""
    from checks import services
    from checks.models import ScanJob
    from fortify_github.github.errors import TransientGitHubError

    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    try:
        services.complete_run(scan, conclusion=conclusion, output=output, actions=actions)
    except TransientGitHubError as error:
        raise self.retry(countdown=backoff(self.request.retries,
                                           getattr(error, "retry_after", None))) from None


@shared_task(name="checks.start_scan")
def start_scan_task(scan_pk: int) -> None:
    """Show the ``in_progress`` run on GitHub, then scan (an operator's re-run)."""
    from checks import services
    from checks.models import ScanJob

    scan = ScanJob.objects.select_related("repository", "installation").get(pk=scan_pk)
    services.start_check_run(scan)
    run_scan_task.delay(scan.pk)
