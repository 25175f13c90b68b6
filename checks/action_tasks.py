"""Thin Celery tasks behind the check run's buttons; the work is in ``checks.rerun`` and
``checks.fixes.apply``. Imported by ``ChecksConfig.ready`` so workers register them."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from checks.tasks import ScanTask

logger = logging.getLogger(__name__)


@shared_task(bind=True, base=ScanTask, name="checks.start_rerun", max_retries=None)
def start_rerun_task(self, scan_pk: int, click_pk: int | None = None) -> str:
    """Create the re-run's check run and queue its scan; a final failure completes the run."""
    from checks import rerun, services
    from fortify_github.github.errors import TransientGitHubError

    try:
        return rerun.rerun_start(scan_pk, click_pk).status
    except TransientGitHubError as error:
        if self.request.retries < settings.SCAN_MAX_RETRIES:
            raise self.retry(countdown=self.backoff(error)) from None
        reference = services.new_reference()
        logger.error("re-run of scan %s failed after retries (reference %s): %s", scan_pk,
                     reference, type(error).__name__)
        _failed(click_pk, reference)
        services.fail_scan(scan_pk, reason="GitHub could not be reached reliably.",
                           reference=reference)
        return "failed"
    except Exception:
        reference = services.new_reference()
        logger.exception("re-run of scan %s failed (reference %s)", scan_pk, reference)
        _failed(click_pk, reference)
        services.fail_scan(scan_pk, reason="Unexpected error.", reference=reference)
        return "failed"


@shared_task(bind=True, base=ScanTask, name="checks.deliver_fixes", max_retries=None)
def deliver_fixes_task(self, click_pk: int) -> str:
    """"Apply fixes" (review suggestions) or "Commit fixes" (one commit) for a click."""
    from checks import services
    from checks.fixes import apply
    from checks.models import CheckRunAction
    from fortify_github.github.errors import TransientGitHubError

    click = CheckRunAction.objects.select_related(
        "scan", "scan__repository", "scan__installation").get(pk=click_pk)
    if click.outcome != CheckRunAction.Outcome.RECEIVED or click.scan is None:
        return click.outcome
    try:
        if click.action == CheckRunAction.Action.COMMIT_FIXES:
            apply.fixes_commit(click.scan, click)
        else:
            apply.fixes_suggest(click.scan, click)
    except TransientGitHubError as error:
        if self.request.retries < settings.SCAN_MAX_RETRIES:
            raise self.retry(countdown=self.backoff(error)) from None
        return _fixes_failed(click, services.new_reference(), type(error).__name__)
    except Exception as error:
        return _fixes_failed(click, services.new_reference(), type(error).__name__)
    click.refresh_from_db()
    return click.outcome


def _fixes_failed(click, reference: str, kind: str) -> str:
    from checks import clicks
    from checks.fixes import apply
    from checks.models import CheckRunAction

    logger.error("%s for scan %s failed (reference %s): %s", click.action, click.scan_id,
                 reference, kind, exc_info=True)
    clicks.check_run_action_finish(click, CheckRunAction.Outcome.FAILED, reference=reference)
    try:
        apply.run_notice(click.scan, f"**{click.get_action_display()}** could not be "
                         f"completed. If it keeps failing, contact Fortify support with "
                         f"reference `{reference}`.")
    except Exception:  # GitHub still down: the reference is in the logs and on the click
        logger.warning("could not report the failure of click %s on its run", click.pk)
    return "failed"


def _failed(click_pk: int | None, reference: str) -> None:
    from checks import clicks
    from checks.models import CheckRunAction

    click = CheckRunAction.objects.filter(pk=click_pk).first() if click_pk else None
    if click is not None:
        clicks.check_run_action_finish(click, CheckRunAction.Outcome.FAILED,
                                       reference=reference)
