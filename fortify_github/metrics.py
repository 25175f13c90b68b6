"""Gauges read at scrape time, and the registry ``/metrics`` exports.

Counters and histograms are counted in whichever process observes them (web or worker). With
``PROMETHEUS_MULTIPROC_DIR`` set in every process's environment, prometheus_client writes them
to files there and ``/metrics`` merges all processes (``export_registry``). Gauges below are
read from the database, the cache or the broker on each scrape, so any process may serve them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


class ScrapeCollector(Collector):
    """One gauge family computed by ``read`` on each scrape; a failure drops the family."""

    def __init__(self, name: str, documentation: str,
                 read: Callable[[GaugeMetricFamily], None], labels: list[str] | None = None):
        self.name, self.documentation, self.read = name, documentation, read
        self.labels = labels or []

    def describe(self) -> Iterator[Metric]:
        # Given so registering does not run a query (the registry would call collect()).
        yield GaugeMetricFamily(self.name, self.documentation, labels=self.labels)

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labels)
        try:
            self.read(family)
        except Exception as error:  # a scrape must not fail because one source is down
            log.warning("metric %s not read (%s)", self.name, type(error).__name__)
            return
        yield family


def _active_installations(family: GaugeMetricFamily) -> None:
    from installations.models import Installation

    family.add_metric([], Installation.objects.filter(
        status=Installation.Status.ACTIVE).count())


def _queue_depth(family: GaugeMetricFamily) -> None:
    from fortify_github.celery import app

    queue = app.conf.task_default_queue
    with app.connection_for_read() as connection:
        # Not passive: an empty Redis queue has no key, and a passive declare would call that
        # an error. Declaring is what every worker does at start anyway.
        channel: Any = connection.default_channel  # kombu's virtual channel (Redis, files)
        declared = channel.queue_declare(queue=queue)
        family.add_metric([queue], declared.message_count)


def _rate_limit_remaining(family: GaugeMetricFamily) -> None:
    from fortify_github.github.ratelimit import remembered_budget

    budget = remembered_budget("app")
    if budget is not None:
        family.add_metric(["app"], budget.remaining)


COLLECTORS = [
    ScrapeCollector("github_active_installations",
                    "Number of active GitHub App installations (read from the database).",
                    _active_installations),
    ScrapeCollector("fortify_celery_queue_depth",
                    "Messages waiting in the Celery queue (read from the broker).",
                    _queue_depth, ["queue"]),
    ScrapeCollector("github_rate_limit_remaining",
                    "Requests left in the App's hourly GitHub budget, as last reported.",
                    _rate_limit_remaining, ["credential"]),
]


def register_collectors(registry: CollectorRegistry = REGISTRY) -> None:
    """Called from ``FortifyConfig.ready()``; safe to call more than once."""
    for collector in COLLECTORS:
        with contextlib.suppress(ValueError):  # already registered in this process
            registry.register(collector)


def export_registry() -> CollectorRegistry:
    """What ``/metrics`` exports: every process's samples in multiprocess mode, else this one's.

    In multiprocess mode the scrape-time collectors of the default registry are added beside
    the merged files (they are not written to files).
    """
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    from webhooks.metrics import BACKLOG_COLLECTOR

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    collectors: list[Collector] = [*COLLECTORS, BACKLOG_COLLECTOR]
    for collector in collectors:
        registry.register(collector)
    return registry
