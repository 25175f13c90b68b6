"""Webhook handlers that start and stop pull request scans.

Docs: https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
What this app deliberately ignores is listed below with why; the installation and repository
rows already exist when these handlers run (``installations`` heals them before dispatch).
"""

from __future__ import annotations

from checks import services
from webhooks.models import WebhookEvent
from webhooks.payloads import require
from webhooks.routing import router

# Pull request changes that neither change the code nor its readiness for review.
router.ignore("pull_request", "assigned", "unassigned", "labeled", "unlabeled",
              "review_requested", "review_request_removed", "locked", "unlocked",
              "milestoned", "demilestoned", "auto_merge_enabled", "auto_merge_disabled",
              reason="does not change the code")
router.ignore("pull_request", "edited",
              reason="title/body/base edits do not change the head commit")
router.ignore("pull_request", "converted_to_draft",
              reason="a draft keeps its last verdict until it is ready for review again")
router.ignore("pull_request", "enqueued", "dequeued", reason="merge queue state is not scanned")
# Our own check runs being created and finished: reacting would only echo ourselves.
router.ignore("check_run", "created", reason="our own check run was created")
router.ignore("check_run", "completed", reason="our own check run completed")
# A suite finishing is the sum of our own runs finishing; scans start from pull requests.
router.ignore("check_suite", "completed", reason="check suite completed")
router.ignore("check_suite", "requested",
              reason="scans start from pull_request events, not from pushes")
# The run's re-run links and buttons are handled in ``checks.action_handlers``.


@router.on("pull_request", "opened", "synchronize", "reopened", "ready_for_review")
def pull_request_changed(event: WebhookEvent) -> None:
    """New code to review: an ``in_progress`` run now, the verdict when the scan ends."""
    for field in ("pull_request.number", "pull_request.head.sha", "pull_request.base.sha",
                  "repository.id", "installation.id"):
        require(event.payload, field)
    services.scan_pull_request(event.payload, delivery=event.delivery_id)


@router.on("pull_request", "closed")
def pull_request_closed(event: WebhookEvent) -> None:
    require(event.payload, "pull_request.number")
    services.cancel_pull_request_scans(event.payload)
