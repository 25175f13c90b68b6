"""Webhook handlers for clicks on the check run: re-runs and the action buttons.

Docs: https://docs.github.com/en/webhooks/webhook-events-and-payloads#check_run and
#check_suite. Handlers only record the click and enqueue tasks on commit; GitHub is called
from the tasks. ``check_run.created``/``completed`` and ``check_suite.completed`` are our own
runs echoing back and ``check_suite.requested`` is a push (both ignored in
``checks.handlers``).
"""

from __future__ import annotations

from django.db import transaction

from checks import clicks, reporting, rerun
from checks.models import CheckRunAction
from webhooks.models import WebhookEvent
from webhooks.payloads import require
from webhooks.routing import router

Action = CheckRunAction.Action
Outcome = CheckRunAction.Outcome

#: requested_action identifiers -> what the click is recorded as.
BUTTONS = {
    reporting.ACTION_RERUN_SCAN: Action.RERUN_SCAN,
    reporting.ACTION_APPLY_FIXES: Action.APPLY_FIXES,
    reporting.ACTION_COMMIT_FIXES: Action.COMMIT_FIXES,
    reporting.ACTION_VIEW_DASHBOARD: Action.VIEW_DASHBOARD,
}


def _require_common(event: WebhookEvent) -> None:
    for field in ("installation.id", "repository.id"):
        require(event.payload, field)


@router.on("check_run", "rerequested")
def check_run_rerequested(event: WebhookEvent) -> None:
    """The run's "Re-run" link: a new scan and run on the same head SHA."""
    _require_common(event)
    require(event.payload, "check_run.head_sha")
    rerun.rerun_request(event.payload, action=Action.RERUN, delivery=event.delivery_id)


@router.on("check_suite", "rerequested")
def check_suite_rerequested(event: WebhookEvent) -> None:
    """"Re-run all checks" sends this (not ``check_run.rerequested``)."""
    _require_common(event)
    require(event.payload, "check_suite.head_sha")
    rerun.rerun_request(event.payload, action=Action.RERUN_SUITE, delivery=event.delivery_id)


@router.on("check_run", "requested_action")
def check_run_requested_action(event: WebhookEvent) -> None:
    """One of our buttons: record the click, then act on it in a task."""
    _require_common(event)
    identifier = require(event.payload, "requested_action.identifier")
    action = BUTTONS.get(identifier, Action.OTHER)
    if action == Action.RERUN_SCAN:
        rerun.rerun_request(event.payload, action=action, delivery=event.delivery_id)
        return
    from installations import services as installation_services

    installation = installation_services.installation_for_event(
        event.payload["installation"]["id"])
    repository = installation_services.repository_for_event(installation,
                                                             event.payload["repository"])
    scan = clicks.scan_for_check_run(require(event.payload, "check_run"), repository)
    click = clicks.check_run_action_record(payload=event.payload, action=action,
                                           delivery=event.delivery_id,
                                           repository=repository, scan=scan)
    if click.outcome != Outcome.RECEIVED:
        return  # redelivered: already handled
    if action == Action.OTHER:
        # Kept, not failed: a button of an older Fortify version, or none of ours at all.
        clicks.check_run_action_finish(click, Outcome.REFUSED,
                                       detail=f"unknown button {str(identifier)[:64]!r}")
        return
    if scan is None:
        clicks.check_run_action_finish(click, Outcome.UNKNOWN_RUN,
                                       detail="no Fortify scan has this check run")
        return
    if action == Action.VIEW_DASHBOARD:
        # The run's details_url is the scan page; the click is what the dashboard shows.
        clicks.check_run_action_finish(click, Outcome.DONE)
        return
    from checks.action_tasks import deliver_fixes_task

    transaction.on_commit(lambda: deliver_fixes_task.delay(click.pk))
