"""Thin Celery tasks for scans; the work lives in ``checks.services``.

One retry policy for all of them (``ScanTask``): Celery's exponential backoff with full
jitter, never sooner than GitHub asked (``Retry-After``, a rate-limit reset).
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from checks.scratch import scratch_remove_stale
from fortify_github.claims import DATABASE_ERRORS, ClaimInterrupted, token_of

logger = logging.getLogger(__name__)


class ScanTask(Task):
    """Base of the scan tasks: their shared backoff (seconds, capped, jittered). A database
    error is retried with it too (Celery's ``autoretry_for``): an outage must delay a check
    run, never fail it or leave it waiting for the sweeper."""

    autoretry_for = DATABASE_ERRORS
    retry_backoff = 5
    retry_backoff_max = 300
    retry_jitter = True

    def backoff(self, error: BaseException | None = None) -> float:
        delay = get_exponential_backoff_interval(
            factor=self.retry_backoff, retries=self.request.retries,
            maximum=self.retry_backoff_max, full_jitter=self.retry_jitter)
        return max(float(delay), float(getattr(error, "retry_after", None) or 0))


@shared_task(bind=True, base=ScanTask, name="checks.start_check_run", max_retries=None)
def start_check_run_task(self: ScanTask, scan_pk: int) -> None:
    """Show the ``in_progress`` run, then queue the scan (which reports even if this failed:
    it creates the run itself before completing it)."""
    from checks import queue, services
    from fortify_github.github.errors import TransientGitHubError

    try:
        services.check_run_start(scan_pk)
    except TransientGitHubError as error:
        if self.request.retries < settings.SCAN_MAX_RETRIES:
            countdown = self.backoff(error)
            logger.warning("scan %s: creating the run hit %s, retrying in %.0f s", scan_pk,
                           type(error).__name__, countdown)
            raise self.retry(countdown=countdown) from None
        logger.warning("scan %s: the in_progress run could not be created (%s); the scan "
                       "goes on and creates it when it reports", scan_pk, type(error).__name__)
    queue.scan_enqueue(scan_pk)


@shared_task(bind=True, base=ScanTask, name="checks.run_scan", max_retries=None)
def run_scan_task(self: ScanTask, scan_pk: int, resume_claim: str | None = None) -> str:
    """Scan and report; transient failures retry, the final failure completes the run.

    ``resume_claim`` is the token of this task's own claim that a database failure
    interrupted (``fortify_github.claims``): the retry takes the scan back at once.
    """
    from checks import queue, services
    from checks.engines import EngineError, EngineTimeout
    from fortify_github.github.errors import TransientGitHubError

    try:
        return services.run_scan(scan_pk, resume_claim=token_of(resume_claim)).status
    except ClaimInterrupted as interrupted:
        logger.warning("scan %s: database error %s mid-scan; retrying", scan_pk,
                       type(interrupted.__cause__).__name__)
        raise self.retry(countdown=self.backoff(),
                         kwargs={"resume_claim": interrupted.resume_argument}) from None
    except DATABASE_ERRORS:
        raise  # before the claim: ScanTask retries it with the same arguments
    except (TransientGitHubError, EngineTimeout) as error:
        if self.request.retries < settings.SCAN_MAX_RETRIES:
            countdown = self.backoff(error)
            logger.warning("scan %s: %s, retrying in %.0f s", scan_pk, type(error).__name__,
                           countdown)
            services.scan_release(scan_pk, retry_in=countdown)
            raise self.retry(countdown=countdown, kwargs={}) from None
        if services.scan_is_completed(scan_pk):
            # Scanned, only the report is missing: that keeps being retried, not failed.
            logger.warning("scan %s: reporting hit %s; the finishing task takes over", scan_pk,
                           type(error).__name__)
            queue.check_run_finish_enqueue(scan_pk, countdown=self.backoff(error))
            return "reporting later"
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


@shared_task(bind=True, base=ScanTask, name="checks.finish_check_run", max_retries=None,
             retry_backoff_max=3600)
def finish_check_run_task(self: ScanTask, scan_pk: int) -> str:
    """Complete a run as its scan's row says; while GitHub is down keep trying, with backoff,
    for as long as the run lives on GitHub (``CHECK_RUN_LIFETIME_SECONDS``)."""
    from checks import services
    from fortify_github.github.errors import GitHubError, TransientGitHubError

    try:
        services.check_run_finish(scan_pk)
    except TransientGitHubError as error:
        countdown = self.backoff(error)
        if not services.check_run_retry_allowed(scan_pk, countdown):
            logger.error("scan %s: GitHub was unreachable for the run's whole lifetime; "
                         "giving up (%s)", scan_pk, type(error).__name__)
            return "gave up"
        logger.warning("scan %s: completing the run hit %s, retrying in %.0f s", scan_pk,
                       type(error).__name__, countdown)
        raise self.retry(countdown=countdown) from None
    except GitHubError as error:
        logger.error("scan %s: GitHub refused to complete the run (%s)", scan_pk,
                     type(error).__name__)
        return "refused"
    return "completed"


@shared_task(name="checks.sweep_scans", ignore_result=True)
def sweep_scans() -> dict[str, int]:
    """Periodic: the scans' outbox and sweeper (see ``services.scans_sweep``), and the scratch
    space of worker processes that died since the last worker start."""
    from checks import services

    report = services.scans_sweep()
    counts = {name: len(pks) for name, pks in vars(report).items()}
    counts["scratch_removed"] = len(scratch_remove_stale())
    if any(counts.values()):
        logger.info("scan sweep: %s", counts)
    return counts


@shared_task(bind=True, base=ScanTask, name="checks.start_requested_scan", max_retries=3)
def start_requested_scan_task(self: ScanTask, repository_pk: int, *,
                              pr_number: int | None = None, branch: str = "") -> str:
    """A scan asked for on the dashboard or the API; GitHub's answer decides what is scanned."""
    from checks.requests import scan_request_start
    from fortify_github.github.errors import GitHubError, TransientGitHubError

    try:
        scan = scan_request_start(repository_pk, pr_number=pr_number, branch=branch)
    except TransientGitHubError as error:
        raise self.retry(countdown=self.backoff(error)) from None
    except GitHubError as error:
        logger.warning("requested scan of repository %s (pr %s, branch %r) not started: %s",
                       repository_pk, pr_number, branch, type(error).__name__)
        return "not started"
    return str(scan.public_id) if scan else "not scanned"
