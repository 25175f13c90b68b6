"""Fixtures shared by the whole suite: a real Celery worker process and helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.worker import WorkerProcess, start_worker


@pytest.fixture(scope="session")
def session_sandbox():
    """One GitHub sandbox for the whole run: the session's Celery worker is configured for it."""
    yield from serve_sandbox()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, session_sandbox) -> Iterator[WorkerProcess]:
    """A real ``celery worker`` process bound to the test database, the test broker and the
    session's GitHub sandbox.

    Tests that rely on it must commit their data (``django_db(transaction=True)``) so the
    worker, a separate process with its own connection, can see it.
    """
    worker = start_worker(extra_env=session_sandbox.env())
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def sandbox():
    """A fresh GitHub sandbox (seeded) on a free port, served over real HTTP."""
    yield from serve_sandbox()


def serve_sandbox():
    """Start a seeded sandbox, hand it over, stop it, then check what the product sent it."""
    from github_sandbox.server import SandboxServer

    server = SandboxServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert_product_requests_conform(server)


def assert_product_requests_conform(server) -> None:
    """Every request the product's client sent, and the sandbox's answer, must be valid per
    GitHub's OpenAPI description (requests GitHub rejected with 400/422 excepted: some tests
    send those on purpose)."""
    from django.conf import settings

    from github_sandbox.openapi import validate_logged_requests
    from tests.sandbox.npm_packages import ensure_installed

    ensure_installed()
    ours = [entry for entry in server.state.requests
            if entry.get("headers", {}).get("User-Agent", "").startswith(
                settings.GITHUB_USER_AGENT)]
    problems = validate_logged_requests(ours, rejected_requests_may_be_invalid=True)
    assert not problems, "requests outside GitHub's REST API:\n" + "\n".join(problems[:20])


@pytest.fixture
def github_settings(sandbox, settings):
    """Point the product's GitHub settings at the sandbox; returns the sandbox."""
    return point_settings_at(sandbox, settings)


@pytest.fixture
def worker_github_settings(session_sandbox, settings):
    """Point this process's GitHub settings at the session sandbox the worker also uses."""
    return point_settings_at(session_sandbox, settings)


def point_settings_at(sandbox, settings):
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


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """Post a signed delivery through the real view, then process it as the worker would.

    The check-run tasks the handlers queue on commit (create the ``in_progress`` run,
    complete superseded or cancelled runs) run here too, in this process, as a worker would
    run them right after; the scan itself is left queued for the test to run.
    """
    from tests.support.webhooks import post_webhook
    from webhooks.models import WebhookEvent
    from webhooks.services import webhook_event_process

    def deliver(event: str, payload: dict) -> WebhookEvent:
        response = post_webhook(client, event, payload)
        assert response.status_code == 202, response.content
        stored = WebhookEvent.objects.get(delivery_id=response.json()["delivery"])
        with django_capture_on_commit_callbacks() as callbacks:
            webhook_event_process(stored.pk)
        run_check_run_tasks(callbacks)
        stored.refresh_from_db()
        return stored

    return deliver


def run_check_run_tasks(callbacks) -> None:
    """Run the check-run tasks among captured on-commit callbacks in this process."""
    from checks.queue import check_run_finish_enqueue, check_run_start_enqueue
    from checks.services import check_run_finish, check_run_start

    steps = {check_run_start_enqueue: check_run_start, check_run_finish_enqueue: check_run_finish}
    for callback in callbacks:
        step = steps.get(getattr(callback, "func", None))
        if step is not None:
            step(*callback.args)


@pytest.fixture
def synced(github_settings, db):
    """The sandbox's installations and repositories, recorded through reconciliation."""
    from installations.sync import sync_installations

    sync_installations()
    return github_settings


# --- The running service and a browser, for browser tests (``@pytest.mark.browser``) ---------

from tests.support.browser import browser_page, chromium, screenshots  # noqa: E402, F401


@pytest.fixture(scope="session")
def live_service_process(django_db_setup, django_db_blocker, session_sandbox, celery_worker):
    """The web process, started once: the test database, the session sandbox and worker."""
    from tests.support.live_service import running_service

    with running_service(extra_env=session_sandbox.env()) as service:
        yield service


@pytest.fixture
def live_service(live_service_process, session_sandbox, worker_github_settings,
                 transactional_db):
    """The running service (Django over HTTP, the session's Celery worker and sandbox).

    For this test the sandbox sends its webhooks to the service and redirects OAuth and
    installs back to it, as GitHub would with the App's registered URLs; the URLs are cleared
    afterwards so other tests get no deliveries they did not ask for.
    """
    app, state = session_sandbox.app, session_sandbox.state
    saved = (app.webhook_url, app.setup_url, app.callback_url, state.signed_in_login)
    app.webhook_url = f"{live_service_process.url}/api/webhooks/github"
    app.setup_url = f"{live_service_process.url}/github/setup"
    app.callback_url = f"{live_service_process.url}/auth/complete/github/"
    try:
        yield live_service_process
    finally:
        session_sandbox.state.wait_for_deliveries(10)
        app.webhook_url, app.setup_url, app.callback_url, state.signed_in_login = saved
