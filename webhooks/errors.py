"""How a handler tells the pipeline whether a failure is worth another attempt.

Handlers raise :class:`TransientError` (or let the GitHub client's ``TransientGitHubError``
or Django's ``OperationalError`` escape) when trying again later may succeed, and
:class:`PermanentError` when it never will. Anything else is an unexpected bug: the event
fails at once and only the exception's class name is recorded.
"""

from __future__ import annotations

from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as KombuOperationalError

try:  # the GitHub client package; imported defensively so the pipeline never depends on it
    from fortify_github.github.errors import TransientGitHubError
except ImportError:  # pragma: no cover - only while the client package is being written
    class TransientGitHubError(Exception):  # type: ignore[no-redef]
        retry_after: float | None = None


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


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    TransientGitHubError,
    OperationalError,  # the database went away or a lock timed out
    InterfaceError,  # the connection was closed under us
    KombuOperationalError,  # the broker blinked while a handler enqueued follow-up work
    SoftTimeLimitExceeded,  # a slow attempt; the next one may be quicker
)


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
    trusted = isinstance(error, WebhookError | TransientGitHubError)
    if not trusted:
        return name
    message = " ".join(str(error).split())
    if len(message) > SAFE_MESSAGE_LENGTH:
        message = message[: SAFE_MESSAGE_LENGTH - 1] + "…"
    return f"{name}: {message}" if message else name
