"""Stored deliveries reach the broker without the receiver publishing: PostgreSQL tells a
worker, the worker publishes.

On PostgreSQL the receiver's one ``INSERT`` also calls ``pg_notify`` (sent when the row
commits), so the request path makes a single round trip, to the database, and never touches
the broker: a delivery is acknowledged as fast with Redis slow or down as with Redis up.
Every Celery worker runs a :class:`Dispatcher` thread; the one holding a PostgreSQL advisory
lock LISTENs and publishes a task message for each announced row, the others wait to take
over. Rows announced while no dispatcher listened (none running, a failover, a lost
connection) are published when a dispatcher (re)starts listening, and the periodic requeue
(:func:`webhooks.services.webhook_events_requeue_stale`) remains the backstop: the stored row
is the outbox, a notification is only a wake-up call.

Elsewhere (SQLite, or ``WEBHOOK_DISPATCH=publish``) the receiver publishes after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections

from webhooks.conf import webhook_settings

log = logging.getLogger("webhooks.dispatch")

#: How long a dispatcher that is not the leader waits before trying to take over.
FOLLOWER_RETRY_SECONDS = 5.0
#: Longest wait for a notification before the stop flag is looked at again.
POLL_SECONDS = 1.0
#: Rows published at once when a dispatcher starts listening (the rest: the next catch-up or
#: the requeue job).
CATCH_UP_LIMIT = 1000
#: Most events in one task message. Announcements that arrived together go out together:
#: under a burst a message per delivery cost the dispatcher and the consuming worker more
#: CPU than processing the delivery; a quiet stream still gets a message per delivery, as
#: nothing waits for company.
BATCH_LIMIT = 20


def notify_dispatch() -> bool:
    """Whether stored deliveries are announced with ``pg_notify`` (else the receiver
    publishes them itself)."""
    return (webhook_settings().dispatch != "publish"
            and connections[DEFAULT_DB_ALIAS].vendor == "postgresql")


def channel() -> str:
    """The notification channel: one per task queue, so deployments (or test runs) that share
    a database but not a queue do not dispatch each other's deliveries."""
    return f"fortify_webhooks:{settings.CELERY_TASK_DEFAULT_QUEUE}"[:63]


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


class Dispatcher(threading.Thread):
    """Publishes every announced delivery while it holds the leader lock."""

    def __init__(self) -> None:
        super().__init__(name="webhook-dispatcher", daemon=True)
        self.stopping = threading.Event()
        self.leading = threading.Event()
        self.published = 0

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        self.join(timeout)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._serve()
            except Exception as error:  # a lost connection, a restarted server: start over
                log.warning("webhook dispatcher lost its database connection (%s); "
                            "reconnecting", type(error).__name__)
            self.leading.clear()
            self.stopping.wait(FOLLOWER_RETRY_SECONDS)
        close_old_connections()

    def _serve(self) -> None:
        from psycopg import sql

        database = connections[DEFAULT_DB_ALIAS]
        name = channel()
        # A connection of its own: LISTEN and the session's advisory lock live as long as it.
        conn = database.get_new_connection(database.get_connection_params())
        try:
            conn.autocommit = True
            locked = conn.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(name)])
            if not locked.fetchone()[0]:
                return  # another worker's dispatcher leads; try again later
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))
            self.leading.set()
            log.info("webhook dispatcher listening on %s", name)
            self._catch_up()
            while not self.stopping.is_set():
                # Wait for the first announcement, then take what else has already arrived.
                announced = [n.payload for n in conn.notifies(timeout=POLL_SECONDS,
                                                              stop_after=1)]
                if announced:
                    announced += [n.payload for n in conn.notifies(timeout=0)]
                    self._publish(announced)
        finally:
            conn.close()
            close_old_connections()

    def _catch_up(self) -> None:
        """Publish what was stored while nobody listened: pending rows never attempted."""
        from webhooks.models import WebhookEvent

        pending = (WebhookEvent.objects
                   .filter(status=WebhookEvent.Status.PENDING, attempts=0, started_at=None)
                   .order_by("received_at").values_list("pk", flat=True)[:CATCH_UP_LIMIT])
        self._publish([str(pk) for pk in pending])

    def _publish(self, payloads: list[str]) -> None:
        """Publish the announced rows, up to ``BATCH_LIMIT`` per task message."""
        from webhooks.services import webhook_events_enqueue

        pks = []
        for payload in payloads:
            if payload.isascii() and payload.isdigit():  # not "²", which int() refuses
                pks.append(int(payload))
            else:
                log.warning("ignoring a malformed webhook notification")
        for start in range(0, len(pks), BATCH_LIMIT):
            batch = pks[start:start + BATCH_LIMIT]
            if webhook_events_enqueue(batch):
                self.published += len(batch)


class DispatchStep(bootsteps.StartStopStep):
    """Runs a :class:`Dispatcher` beside each Celery worker (``celery -A fortify_github
    worker``), when deliveries are announced with ``pg_notify``."""

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.dispatcher: Dispatcher | None = None

    def start(self, parent: Any) -> None:
        if notify_dispatch():
            self.dispatcher = Dispatcher()
            self.dispatcher.start()

    def stop(self, parent: Any) -> None:
        if self.dispatcher is not None:
            self.dispatcher.stop()
            self.dispatcher = None

    shutdown = stop
