"""Fixtures shared by the whole suite: a real Celery worker process and helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.worker import WorkerProcess, start_worker


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker) -> Iterator[WorkerProcess]:
    """A real ``celery worker`` process bound to the test database and the test broker.

    Tests that rely on it must commit their data (``django_db(transaction=True)``) so the
    worker, a separate process with its own connection, can see it.
    """
    worker = start_worker()
    try:
        yield worker
    finally:
        worker.stop()
