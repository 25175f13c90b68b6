"""Publishing broker messages from the receiver: one connection per thread, reused.

The receiver publishes one small message per delivery, so what dominates is set-up, not the
message: opening a broker connection per delivery cost more than everything else the receiver
does, and kombu's Redis channel still builds a new Redis client object (a dict of some 170
response callbacks) for every message it sends. Here each thread keeps its connection and
producer, and on Redis the channel keeps one client over its connection pool.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from kombu.transport import redis as kombu_redis

# Fail fast: no reconnect loop and short socket timeouts (kombu would otherwise keep
# reconnecting for seconds with Redis stopped, and a blackholed host could hang the connect
# for minutes). The stored row is the outbox: a message that cannot be sent now is sent later.
TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}


class ReusingClientChannel(kombu_redis.Channel):
    """kombu's Redis channel, publishing through one client instead of one per message."""

    @cached_property
    def _publish_client(self) -> Any:
        return self._create_client()  # type: ignore[attr-defined]

    @contextlib.contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        yield client or self._publish_client


class ReusingClientTransport(kombu_redis.Transport):
    Channel = ReusingClientChannel


class ReusingClientSentinelTransport(kombu_redis.SentinelTransport):
    Channel = type("ReusingClientSentinelChannel",
                   (ReusingClientChannel, kombu_redis.SentinelChannel), {})


_TRANSPORTS: dict[str, type] = {"redis": ReusingClientTransport,
                                "rediss": ReusingClientTransport,
                                "sentinel": ReusingClientSentinelTransport}


class Publisher(threading.local):
    """One broker connection and producer per thread and process, reused across messages."""

    pid: int | None = None
    connection: Any = None
    producer: Any = None

    def producer_for(self, app: Any, *, fresh: bool) -> Any:
        """This thread's producer; ``fresh`` replaces it (after a failed publish)."""
        if fresh or self.producer is None or self.pid != os.getpid():
            self.discard()
            options = {**(app.conf.broker_transport_options or {}), **TRANSPORT_OPTIONS}
            scheme = str(app.conf.broker_write_url or app.conf.broker_url or "").split(":", 1)[0]
            transport = _TRANSPORTS.get(scheme)
            self.connection = app.connection_for_write(
                transport_options=options, **({"transport": transport} if transport else {}))
            self.producer = app.amqp.Producer(self.connection, auto_declare=False)
            self.pid = os.getpid()
        return self.producer

    def discard(self) -> None:
        """Drop this thread's connection (never one inherited from a parent process)."""
        connection, self.connection, self.producer = self.connection, None, None
        if connection is not None and self.pid == os.getpid():
            with contextlib.suppress(Exception):
                connection.release()
