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


@pytest.fixture
def sandbox():
    """A fresh GitHub sandbox (seeded) on a free port, served over real HTTP."""
    from fortify_github.sandbox.server import SandboxServer

    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def github_settings(sandbox, settings):
    """Point the product's GitHub settings at the sandbox; returns the sandbox."""
    env = sandbox.env()
    settings.GITHUB_API_URL = env["GITHUB_API_URL"]
    settings.GITHUB_WEB_URL = env["GITHUB_WEB_URL"]
    settings.GITHUB_APP_ID = env["GITHUB_APP_ID"]
    settings.GITHUB_APP_SLUG = env["GITHUB_APP_SLUG"]
    settings.GITHUB_APP_PRIVATE_KEY = ""
    settings.GITHUB_APP_PRIVATE_KEY_PATH = env["GITHUB_APP_PRIVATE_KEY_PATH"]
    settings.GITHUB_WEBHOOK_SECRETS = [env["GITHUB_WEBHOOK_SECRET"]]
    settings.GITHUB_CLIENT_ID = env["GITHUB_CLIENT_ID"]
    settings.GITHUB_CLIENT_SECRET = env["GITHUB_CLIENT_SECRET"]
    return sandbox
