"""Nothing is lost when the broker is down: a real Redis server stopped and started again.

Everything runs as real processes on a Redis of its own (never the shared one on 6379): the
web service (``manage.py runserver``), and a worker with ``-B`` so the periodic requeue job
runs as it does in production (here every second, with a one-second threshold).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings

from tests.support.processes import free_port, stop_group, wait_until
from tests.support.servers import RedisServer
from tests.support.webhooks import load_fixture, post_webhook
from tests.support.worker import database_url_for_test_db
from tests.webhooks.conftest import records
from webhooks.models import WebhookEvent

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = WebhookEvent.Status


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(args, cwd=settings.BASE_DIR, env=env, stdout=handle,
                            stderr=subprocess.STDOUT, start_new_session=True)


class Stack:
    """The web process and a worker (with beat) on a throwaway Redis, restartable."""

    def __init__(self, directory: Path, server: RedisServer, env: dict[str, str]) -> None:
        self.directory, self.server, self.env = directory, server, env
        self.workers: list[tuple[subprocess.Popen, Path]] = []
        self.url = ""

    def start_worker(self) -> None:
        log = self.directory / f"worker-{len(self.workers)}.log"
        self.workers.append((_spawn(
            [sys.executable, "-m", "celery", "-A", "fortify_github", "worker", "-B",
             "--loglevel=INFO", "--concurrency=2", "--without-gossip", "--without-mingle",
             "-n", f"outbox-{uuid.uuid4().hex[:8]}@%h"], self.env, log), log))

    def supervise(self) -> None:
        """Start the worker again if it died, as the deployment's supervisor does
        (``Restart=on-failure`` in deploy/systemd): Celery 5.7 / kombu 5.7 can exit when
        Redis vanishes under a running task (celery/celery#10205)."""
        if self.workers[-1][0].poll() is not None:
            self.start_worker()

    @property
    def worker_log(self) -> Path:
        return self.workers[-1][1]

    def worker_logs(self) -> str:
        return "".join(log.read_text(errors="replace") for _, log in self.workers)


@pytest.fixture
def isolated_stack():
    """Redis + web + worker (with beat), all on the throwaway Redis."""
    directory = Path(tempfile.mkdtemp(prefix="webhook-outbox-"))
    server = RedisServer(directory)
    server.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DATABASE_URL": database_url_for_test_db(),
        "REDIS_URL": server.url,
        "FORTIFY_VAR_DIR": str(directory),
        "WEBHOOK_PENDING_REQUEUE_AFTER": "1",
        "WEBHOOK_REQUEUE_INTERVAL": "1",
        "WEBHOOK_REDELIVER_INTERVAL": "86400",  # no GitHub here
        # Its own queue, so the dispatcher of a worker serving another (the test session's)
        # does not take these deliveries.
        "CELERY_TASK_DEFAULT_QUEUE": f"outbox-{uuid.uuid4().hex[:8]}",
    }
    port = free_port()
    web_log = directory / "web.log"
    web = _spawn([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                 env, web_log)
    stack = Stack(directory, server, env)
    stack.url = f"http://127.0.0.1:{port}"
    stack.start_worker()
    try:
        wait_until(lambda: requests.get(stack.url + "/health", timeout=2).status_code,
                   timeout=60, what="the web process", log=web_log)
        yield stack
    finally:
        stop_group(web)
        for worker, _ in stack.workers:
            stop_group(worker)
        server.stop()


def _post(url: str, event: str, action: str | None) -> tuple[str, requests.Response, float]:
    delivery = str(uuid.uuid4())
    started = time.monotonic()
    response = post_webhook(url, event, load_fixture("pull_request", action) if action
                            else load_fixture("ping"), delivery=delivery)
    return delivery, response, time.monotonic() - started


def test_deliveries_posted_while_redis_is_down_are_all_processed(isolated_stack):
    stack = isolated_stack
    server, url = stack.server, stack.url

    # The stack works: one delivery goes through while Redis is up.
    warmup, response, _ = _post(url, "fortify_test_record", "opened")
    assert response.status_code == 202
    wait_until(lambda: WebhookEvent.objects.filter(delivery_id=warmup,
                                                   status=Status.COMPLETED).exists(),
               timeout=60, what="the warm-up delivery", log=stack.worker_log)

    server.stop()
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(server.url, socket_connect_timeout=1).ping()

    posted = []
    for action in ("opened", "synchronize", "reopened", "closed", "ready_for_review"):
        delivery, response, elapsed = _post(url, "fortify_test_record", action)
        assert response.status_code == 202, response.text
        # GitHub gives up after 10 s: with the broker down the answer must still beat that.
        assert elapsed < 10, f"acknowledged in {elapsed:.1f}s with the broker down"
        posted.append(delivery)
    stored = WebhookEvent.objects.filter(delivery_id__in=posted)
    assert stored.count() == len(posted)
    assert set(stored.values_list("status", flat=True)) == {Status.PENDING}

    server.start()  # empty: every message published while it was down is gone

    def all_processed() -> bool:
        stack.supervise()
        return stored.filter(status=Status.COMPLETED).count() == len(posted)

    wait_until(all_processed,
               timeout=120, what="every delivery to be processed after Redis came back",
               log=stack.worker_log)
    for delivery in posted:
        assert len([r for r in records(delivery) if r["phase"] == "done"]) == 1
    assert "re-enqueued" in stack.worker_logs()
