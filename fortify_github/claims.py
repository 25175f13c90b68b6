"""Claims that a database failure interrupted, and how their worker resumes them.

Workers take a row (a webhook event, a scan) with one conditional UPDATE that stores a fresh
token, and a lease lets another worker take the row over when its worker died. When the
database itself fails mid-work the worker is alive, yet its row stays claimed: waiting out
the lease (ten minutes by default) would leave the event unprocessed and the pull request's
check run in progress that long after a blip of a few seconds. So the worker's retry carries
the token and resumes its own claim as soon as the database answers again; nobody else can.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError

# The database went away or the connection broke: worth retrying, never the work's fault.
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class ClaimInterrupted(Exception):
    """The database failed while this worker held the claim ``token``; the cause is chained."""

    def __init__(self, token: uuid.UUID | None) -> None:
        super().__init__("the database failed while the claim was held")
        self.token = token

    @property
    def resume_argument(self) -> str | None:
        """The token as the retrying task's ``resume_claim`` argument (JSON: a string)."""
        return str(self.token) if self.token else None


@contextmanager
def claim_held(token: uuid.UUID | None) -> Iterator[None]:
    """Turn a database error inside the block into :class:`ClaimInterrupted`, so the task's
    retry can resume the claim instead of leaving the row to the lease."""
    try:
        yield
    except DATABASE_ERRORS as error:
        raise ClaimInterrupted(token) from error


def token_of(value: str | uuid.UUID | None) -> uuid.UUID | None:
    """A resume token from a task argument (JSON carries it as a string); junk is no token."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
