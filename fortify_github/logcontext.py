"""Which delivery, installation, repository and scan a log line belongs to.

The context travels with the work in a ``contextvars.ContextVar``: bound when a task starts
(``webhooks`` binds the delivery it processes, ``checks`` the scan), copied into the headers
of every task published meanwhile (so a scan queued by a webhook handler still names its
delivery), and added to every log record by :class:`LogContextFilter`, the GitHub client's
lines included: the formatter prints it as ``[delivery=... scan=...]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

# The fields, in the order they are printed; each is also a LogRecord attribute.
FIELDS = ("delivery", "event", "installation", "repository", "scan")
HEADER = "fortify_log_context"

_context: ContextVar[Mapping[str, str]] = ContextVar(
    "fortify_log_context", default=MappingProxyType({}))


def current() -> dict[str, str]:
    """The context bound now (a copy)."""
    return dict(_context.get())


def _clean(values: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in values.items()
            if key in FIELDS and value not in (None, "")}


def bind(**values: Any) -> None:
    """Add to the context until :func:`clear` (a task binds what it learns as it goes)."""
    _context.set({**_context.get(), **_clean(values)})


def clear() -> None:
    _context.set({})


@contextmanager
def log_context(**values: Any) -> Iterator[None]:
    """Add to the context for a block, then restore what was there before."""
    token = _context.set({**_context.get(), **_clean(values)})
    try:
        yield
    finally:
        _context.reset(token)


def render(values: Mapping[str, str]) -> str:
    parts = [f"{key}={values[key]}" for key in FIELDS if values.get(key)]
    return f"[{' '.join(parts)}] " if parts else ""


class LogContextFilter(logging.Filter):
    """Puts the bound context on every record: one attribute per field, and ``log_context``
    (``"[delivery=... scan=...] "`` or ``""``) for the formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        values = current()
        for key in FIELDS:
            if not getattr(record, key, None) and key in values:
                setattr(record, key, values[key])
        record.log_context = render(
            {key: str(getattr(record, key)) for key in FIELDS if getattr(record, key, None)})
        return True


# --- Celery: the context crosses into the tasks a task (or a request) publishes ------------

def _on_publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    values = current()
    if values and headers is not None:
        headers[HEADER] = values


def _on_task_start(task: Any = None, **_: Any) -> None:
    clear()
    values = getattr(getattr(task, "request", None), HEADER, None)
    if isinstance(values, Mapping):
        bind(**values)


def _on_task_end(**_: Any) -> None:
    clear()


def connect_celery_signals() -> None:
    """Called once by the Celery app module."""
    from celery import signals

    signals.before_task_publish.connect(_on_publish, weak=False,
                                        dispatch_uid="fortify-log-context-publish")
    signals.task_prerun.connect(_on_task_start, weak=False,
                                dispatch_uid="fortify-log-context-start")
    signals.task_postrun.connect(_on_task_end, weak=False,
                                 dispatch_uid="fortify-log-context-end")
