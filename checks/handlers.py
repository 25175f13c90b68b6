"""Webhook handlers that start and stop pull request scans.

Docs: https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
Ignored on purpose: ``edited``, ``labeled``, ``assigned``, ``review_requested`` and the other
pull_request actions that do not change the code under review.
"""

from __future__ import annotations

from checks import services
from webhooks.payloads import require
from webhooks.routing import router


@router.on("pull_request", "opened", "synchronize", "reopened", "ready_for_review")
def pull_request_changed(event) -> None:
    """New code to review: an ``in_progress`` run now, the verdict when the scan ends."""
    for field in ("pull_request.number", "pull_request.head.sha", "pull_request.base.sha",
                  "repository.id", "installation.id"):
        require(event.payload, field)
    services.scan_pull_request(event.payload, delivery=event.delivery_id)


@router.on("pull_request", "closed")
def pull_request_closed(event) -> None:
    require(event.payload, "pull_request.number")
    services.cancel_pull_request_scans(event.payload)
