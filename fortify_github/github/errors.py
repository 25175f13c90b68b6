"""Typed errors for everything GitHub (or the road to it) can answer.

Callers branch on the class, never on status codes or message text. Transient errors carry
``retry_after`` (seconds) so a Celery task can re-schedule itself:

    except TransientGitHubError as error:
        raise self.retry(exc=error, countdown=retry_countdown(error, self.request.retries))
"""

from __future__ import annotations

from typing import Any


class GitHubError(Exception):
    """Any failure of a GitHub API call.

    ``endpoint`` is the templated endpoint name (``GET /repos/{owner}/{repo}``), never the
    raw path; ``status`` the HTTP status (None when no response arrived); ``request_id`` is
    GitHub's ``x-github-request-id`` for support tickets. No header or token is ever kept.
    ``outcome_unknown`` is set on a write that may or may not have been applied.
    """

    outcome_unknown = False

    def __init__(self, message: str, *, endpoint: str = "", status: int | None = None,
                 request_id: str | None = None, documentation_url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.status = status
        self.request_id = request_id
        self.documentation_url = documentation_url

    def __str__(self) -> str:
        where = f"{self.endpoint}: " if self.endpoint else ""
        status = f" (HTTP {self.status})" if self.status else ""
        return f"{where}{self.message}{status}"


class BadRequest(GitHubError):
    """400: the request was malformed (a bug on our side; never retried)."""


class Unauthorized(GitHubError):
    """401: the credential was rejected (expired or revoked token, bad JWT)."""


class PermissionDenied(GitHubError):
    """403 that is not a rate limit: the App or user lacks a permission, or it is suspended."""


class NotFound(GitHubError):
    """404 (or 410): missing, or hidden from this credential, which GitHub reports the same way."""


class IncompleteList(GitHubError):
    """A list was longer than the page cap (``GITHUB_MAX_PAGES``) where all of it was needed."""


class Conflict(GitHubError):
    """409: e.g. a ref update that is not a fast-forward, or an empty repository."""


class ValidationFailed(GitHubError):
    """422 with GitHub's ``errors`` list (``[{"resource", "field", "code", "message"}]``)."""

    def __init__(self, message: str, *, errors: list[dict[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = list(errors or [])

    def __str__(self) -> str:
        details = "; ".join(
            str(error.get("message") or error.get("code") or error) if isinstance(error, dict)
            else str(error)
            for error in self.errors
        )
        return super().__str__() + (f" [{details}]" if details else "")


class TransientGitHubError(GitHubError):
    """Marker base: worth trying again later. ``retry_after`` is the least wait, if known."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(TransientGitHubError):
    """5xx from GitHub. For a POST the outcome is unknown: it may have been applied."""


class Unavailable(TransientGitHubError):
    """No usable response: connection refused or reset, DNS, timeouts.

    ``sent`` tells whether the request may have reached GitHub (a read timeout, a reset
    after sending) as opposed to a connection that never opened.
    """

    def __init__(self, message: str, *, sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent


class CircuitOpen(Unavailable):
    """GitHub failed repeatedly; calls fail fast until the cool-down ends (``retry_after``)."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("sent", False)
        super().__init__(message, **kwargs)


class RateLimited(TransientGitHubError):
    """GitHub (or our own throttle, ``status`` None) says to slow down."""


class PrimaryRateLimited(RateLimited):
    """The hourly budget is spent; ``reset_at`` is the epoch second it refills."""

    def __init__(self, message: str, *, reset_at: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class SecondaryRateLimited(RateLimited):
    """Too many requests too fast (concurrency, content creation, CPU); honour ``retry_after``."""


def is_transient(error: BaseException) -> bool:
    """Whether a task should re-schedule itself rather than fail for good."""
    return isinstance(error, TransientGitHubError)


def retry_countdown(error: BaseException, retries: int = 0, *, base: float = 30.0,
                    cap: float = 3600.0) -> float:
    """Seconds a Celery task should wait before its next attempt (``retries`` done so far).

    GitHub's own hint (``retry_after``, at least a second) wins; otherwise the shared policy
    of ``fortify_github.backoff`` from ``base``, capped at ``cap``.
    """
    from fortify_github.backoff import backoff_delay

    hinted = getattr(error, "retry_after", None)
    return backoff_delay(retries + 1, base=base, cap=cap,
                         hinted=None if hinted is None else max(float(hinted), 1.0))
