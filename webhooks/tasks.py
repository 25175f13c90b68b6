"""Celery tasks of the webhook pipeline: thin wrappers around ``webhooks.services``.

Tasks take primary keys and the row is the source of truth, so a message delivered twice,
late, or after a replay is harmless: the claim lets exactly one worker process the event.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from celery import shared_task

log = logging.getLogger("webhooks")

#: A message's events are processed one after another until this many seconds have passed;
#: the rest go back to the queue as a message of their own, so that events waiting on GitHub
#: never add up to the task's time limit.
BATCH_SECONDS = 60.0


@dataclass(frozen=True)
class Attempt:
    """One processing attempt of one event, as a task must answer it."""

    status: str
    retry_in: float | None = None  # run it again after this many seconds
    resume_claim: str | None = None  # ... taking back this claim (a database error cut it)
    interrupted: bool = False  # a database error: this process's connection may be broken


def _attempt(event_pk: int, *, resume_claim: str | None = None, retries: int = 0) -> Attempt:
    """Process the event once; ``retries`` is how many times Celery already retried it."""
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
        return Attempt("retrying", backoff(retries + 1), interrupted.resume_argument,
                       interrupted=True)
    return Attempt(outcome.status, outcome.retry_in)


@shared_task(bind=True, name="webhooks.process_webhook_event", max_retries=None,
             ignore_result=True)
def process_webhook_event(self, event_pk: int, resume_claim: str | None = None) -> str:
    """Process one stored event; re-schedule itself when a handler hit a transient error.

    The attempt count lives on the row (bounded by ``WEBHOOK_MAX_ATTEMPTS``), not in Celery,
    so it survives lost messages and requeues. ``resume_claim`` is the token of this task's
    own claim that a database failure interrupted (``fortify_github.claims``).
    """
    attempt = _attempt(event_pk, resume_claim=resume_claim, retries=self.request.retries)
    if attempt.retry_in is not None:  # never past max_retries: it is None
        kwargs = {"resume_claim": attempt.resume_claim} if attempt.resume_claim else {}
        raise self.retry(countdown=attempt.retry_in, kwargs=kwargs)
    return attempt.status


@shared_task(name="webhooks.process_webhook_events", ignore_result=True)
def process_webhook_events(event_pks: list[int]) -> list[str]:
    """Process several stored events, one after another, as announced together.

    Each event is claimed on its own, so a message delivered twice, or redelivered after its
    worker died, only processes what nobody finished. An event that must run again (a
    transient error, a database error mid-attempt) goes back to the queue as a one-event
    :func:`process_webhook_event` message carrying its own countdown and claim, and the rest
    of the batch goes on. Past ``BATCH_SECONDS`` the events not yet started are sent back.
    """
    from django.db import close_old_connections

    from webhooks.services import webhook_event_enqueue, webhook_events_enqueue

    statuses: list[str] = []
    started = time.monotonic()
    for index, event_pk in enumerate(event_pks):
        if index and time.monotonic() - started > BATCH_SECONDS:
            rest = event_pks[index:]
            log.info("%d webhook events left after %.0f s: sent back to the queue", len(rest),
                     BATCH_SECONDS)
            webhook_events_enqueue(rest)
            statuses += ["requeued"] * len(rest)
            break
        attempt = _attempt(event_pk)
        if attempt.retry_in is not None:
            webhook_event_enqueue(event_pk, countdown=attempt.retry_in,
                                  resume_claim=attempt.resume_claim)
        if attempt.interrupted:
            close_old_connections()  # the next event starts on a working connection, if any
        statuses.append(attempt.status)
    return statuses


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
