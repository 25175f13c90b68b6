"""Prometheus metrics of scans (exported by ``/metrics``, from worker processes too)."""

from __future__ import annotations

from django.utils import timezone
from prometheus_client import Histogram

SCAN_TRIGGER_SECONDS = Histogram(
    "github_pr_scan_trigger_duration_seconds",
    "Time from receiving a pull request webhook to its in_progress check run on GitHub.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
ENGINE_SECONDS = Histogram(
    "fortify_scan_engine_duration_seconds",
    "Time one scan engine (bandit, detect-secrets, semgrep...) took on one scan.",
    ["engine"],
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)


def observe_scan_triggered(trigger_delivery: str) -> None:
    """The in_progress run is on GitHub: measure from the delivery's receipt (when known)."""
    if not trigger_delivery:
        return
    from webhooks.models import WebhookEvent

    received_at = (WebhookEvent.objects.filter(delivery_id=trigger_delivery)
                   .values_list("received_at", flat=True).first())
    if received_at is not None:
        SCAN_TRIGGER_SECONDS.observe(max((timezone.now() - received_at).total_seconds(), 0.0))
