"""Prometheus metrics of the webhook pipeline (exported by ``/metrics`` with the default
registry).

Counters and histograms live in the process that observes them: the web process counts
receptions and acknowledgement times, workers count processing outcomes; with
``PROMETHEUS_MULTIPROC_DIR`` set, ``/metrics`` merges both (see ``fortify_github.metrics``).
The backlog gauge is read from the database at scrape time, so any process may serve it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

EVENTS = Counter(
    "github_webhook_events",
    "GitHub webhook deliveries by event type and outcome "
    "(received, duplicate, completed, failed, ignored, retrying).",
    ["event_type", "status"],
)
REJECTED = Counter(
    "github_webhook_rejected",
    "Webhook requests refused before storing (bad signature, oversized, malformed...).",
    ["reason"],
)
ACK_SECONDS = Histogram(
    "github_webhook_ack_seconds",
    "Time from receiving a webhook request to answering it (GitHub waits at most 10 s).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PROCESSING_SECONDS = Histogram(
    "github_webhook_processing_seconds",
    "Time a worker spent processing one webhook event (one attempt).",
    ["event_type"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)

BACKLOG_NAME = "github_webhook_pending_backlog"
BACKLOG_HELP = "Stored webhook events not yet processed, by status (read from the database)."


class BacklogCollector(Collector):
    """``github_webhook_pending_backlog{status}`` counted in the database on every scrape."""

    def describe(self) -> Iterator[Metric]:
        # Given so registering does not run a query (the registry would call collect()).
        yield GaugeMetricFamily(BACKLOG_NAME, BACKLOG_HELP, labels=["status"])

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count

        from webhooks.models import WebhookEvent

        family = GaugeMetricFamily(BACKLOG_NAME, BACKLOG_HELP, labels=["status"])
        waiting = [WebhookEvent.Status.PENDING, WebhookEvent.Status.PROCESSING]
        try:
            counts = dict(
                WebhookEvent.objects.filter(status__in=waiting)
                .values_list("status").annotate(n=Count("id")).order_by()
            )
        except Exception:  # a scrape must not fail because the database is down
            log.warning("webhook backlog gauge: database unavailable", exc_info=True)
            return
        for status in waiting:
            family.add_metric([status], counts.get(status, 0))
        yield family


_backlog = BacklogCollector()
# Exported again beside the merged files when /metrics runs in multiprocess mode.
BACKLOG_COLLECTOR = _backlog


def register_backlog_collector() -> None:
    """Called from ``WebhooksConfig.ready()``; safe to call more than once."""
    with contextlib.suppress(ValueError):  # already registered in this process
        REGISTRY.register(_backlog)
