"""Celery tasks of the webhook pipeline: thin wrappers around ``webhooks.services``.

Tasks take primary keys and the row is the source of truth, so a message delivered twice,
late, or after a replay is harmless: the claim lets exactly one worker process the event.
"""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger("webhooks")


@shared_task(bind=True, name="webhooks.process_webhook_event", max_retries=None,
             ignore_result=True)
def process_webhook_event(self, event_pk: int, resume_claim: str | None = None) -> str:
    """Process one stored event; re-schedule itself when a handler hit a transient error.

    The attempt count lives on the row (bounded by ``WEBHOOK_MAX_ATTEMPTS``), not in Celery,
    so it survives lost messages and requeues. ``resume_claim`` is the token of this task's
    own claim that a database failure interrupted (``fortify_github.claims``).
    """
    from fortify_github.claims import ClaimInterrupted, token_of
    from webhooks.services import backoff, webhook_event_process

    try:
        outcome = webhook_event_process(event_pk, resume_claim=token_of(resume_claim))
    except ClaimInterrupted as interrupted:
        # Every database error of an attempt, the claim's own included, arrives as this: the
        # event stays claimed by us, and the retry takes it back as soon as the database
        # answers, rather than leaving it to the requeue job once the lease has expired.
        log.warning("webhook event %s: database error %s while processing; retrying",
                    event_pk, type(interrupted.__cause__).__name__)
        raise self.retry(countdown=backoff(self.request.retries + 1),
                         kwargs={"resume_claim": interrupted.resume_argument}) from None
    if outcome.retry_in is not None:
        try:
            raise self.retry(countdown=outcome.retry_in, kwargs={})
        except self.MaxRetriesExceededError:  # pragma: no cover - max_retries is None
            pass
    return outcome.status


@shared_task(name="webhooks.requeue_stale_pending", ignore_result=True)
def requeue_stale_pending() -> int:
    """Periodic: re-enqueue events whose message the broker lost (or never got)."""
    from webhooks.services import webhook_events_requeue_stale

    return len(webhook_events_requeue_stale())


@shared_task(name="webhooks.redeliver_failed_deliveries", ignore_result=True)
def redeliver_failed_deliveries() -> int:
    """Periodic: ask GitHub to redeliver what failed to reach us (GitHub never retries)."""
    from django.conf import settings

    from webhooks.conf import webhook_settings
    from webhooks.services import webhook_deliveries_redeliver

    if not settings.GITHUB_APP_ID:
        log.info("redelivery skipped: no GitHub App configured (GITHUB_APP_ID)")
        return 0
    report = webhook_deliveries_redeliver(since=webhook_settings().redeliver_window)
    log.info("redelivery: scanned %d, redelivered %d, already stored %d, gave up %d, "
             "errors %d", report.scanned, len(report.redelivered), len(report.already_stored),
             len(report.gave_up), len(report.errors))
    return len(report.redelivered)
