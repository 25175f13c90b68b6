"""How a handler tells the pipeline whether a failure is worth another attempt.

Handlers raise :class:`TransientError` when trying again later may succeed and
:class:`PermanentError` when it never will. Errors from the parts a handler leans on are
classified by :func:`classify`:

* transient (the event is retried with backoff): a dependency that is down or slow — the
  database connection (``OperationalError``, ``InterfaceError``), Redis as cache or lock
  (``redis.ConnectionError``/``TimeoutError``, ``BusyLoadingError``...), the broker (kombu's
  ``OperationalError``, AMQP's recoverable errors), raw HTTP (``requests``' connection errors
  and timeouts, Python's ``ConnectionError``/``TimeoutError``), GitHub's
  ``TransientGitHubError`` (5xx, timeouts, rate limits, an open circuit) and Celery's soft
  time limit;
* permanent (the event fails at once, no traceback logged): our own ``PermanentError``, GitHub
  answers that will not change (``NotFound``, ``PermissionDenied``, ``ValidationFailed``...),
  and data the database refuses (``IntegrityError``, ``DataError``);
* a bug (anything else): the event fails at once and the stack is logged without the message.

Only the messages of our own errors and the GitHub client's are stored; any other error is
recorded by its class name alone, because its message may quote a payload or a secret.
"""

from __future__ import annotations

import enum

import amqp.exceptions as amqp_errors
import kombu.exceptions as kombu_errors
import redis.exceptions as redis_errors
import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DataError, IntegrityError, InterfaceError, OperationalError

from fortify_github.github.errors import GitHubError, TransientGitHubError


class WebhookError(Exception):
    """Base for errors a handler raises on purpose; the message must be safe to store."""


class TransientError(WebhookError):
    """Worth trying again later (a dependency is down, a lock is held...)."""

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(WebhookError):
    """Trying again cannot help: the event fails at once with this message."""


class MalformedPayload(PermanentError):
    """The payload lacks a field the handler requires (see ``webhooks.payloads.require``)."""


class ErrorKind(enum.StrEnum):
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    BUG = "bug"


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    TransientGitHubError,
    # database: the server went away, a lock or statement timed out, the connection closed
    OperationalError,
    InterfaceError,
    # Redis (cache, locks, rate-limit budgets): down, slow, loading, failing over
    redis_errors.ConnectionError,  # includes BusyLoadingError and AuthenticationError
    redis_errors.TimeoutError,
    redis_errors.TryAgainError,
    redis_errors.ClusterDownError,
    redis_errors.MasterDownError,
    redis_errors.ReadOnlyError,  # a replica promoted under us
    # the broker, while a handler enqueues follow-up work
    kombu_errors.OperationalError,
    kombu_errors.ConnectionError,
    kombu_errors.ChannelError,
    kombu_errors.TimeoutError,
    kombu_errors.InconsistencyError,
    amqp_errors.RecoverableConnectionError,
    amqp_errors.RecoverableChannelError,
    # raw HTTP and sockets
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
    TimeoutError,
    # a slow attempt; the next one may be quicker
    SoftTimeLimitExceeded,
)

PERMANENT_ERRORS: tuple[type[BaseException], ...] = (
    PermanentError,
    GitHubError,  # after TRANSIENT_ERRORS: only the answers that will not change
    IntegrityError,
    DataError,
)


def classify(error: BaseException) -> ErrorKind:
    """Transient, permanent or a bug: decides retry, failure, and how loudly it is logged."""
    if isinstance(error, TRANSIENT_ERRORS):
        return ErrorKind.TRANSIENT
    if isinstance(error, PERMANENT_ERRORS):
        return ErrorKind.PERMANENT
    return ErrorKind.BUG


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)


def retry_after(error: BaseException) -> float | None:
    """The wait the error asks for (GitHub's ``Retry-After``, a rate-limit reset), if any."""
    value = getattr(error, "retry_after", None)
    return float(value) if isinstance(value, int | float) and value >= 0 else None


SAFE_MESSAGE_LENGTH = 200


def safe_error(error: BaseException) -> str:
    """``Class: message`` for errors whose messages we write; only the class otherwise.

    Our own errors and the GitHub client's carry messages built to be logged (no payload, no
    token). An unexpected exception's message may quote anything, so it is never stored.
    """
    name = type(error).__name__
    trusted = isinstance(error, WebhookError | GitHubError)
    if not trusted:
        return name
    message = " ".join(str(error).split())
    if len(message) > SAFE_MESSAGE_LENGTH:
        message = message[: SAFE_MESSAGE_LENGTH - 1] + "…"
    return f"{name}: {message}" if message else name
