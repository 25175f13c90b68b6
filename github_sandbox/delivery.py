"""Signed webhook delivery, in order, on a worker thread.

Each attempt is recorded the way the App's "Recent Deliveries" page shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
import time
from collections.abc import Callable

import requests

from .credentials import AppCredentials
from .models import Delivery

DELIVERY_TIMEOUT_SECONDS = 10.0  # GitHub gives a receiver 10 s to answer
USER_AGENT = "GitHub-Hookshot/8f4d1b2"
MAX_RECORDED_RESPONSE = 64 * 1024


def sign(secret: str, body: bytes) -> dict[str, str]:
    """Both signature headers GitHub sends, over the exact bytes of the body."""
    key = secret.encode()
    return {
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
    }


def deliver(delivery: Delivery, app: AppCredentials, now: Callable[[], float]) -> None:
    """POST one delivery and record its outcome; never raises (GitHub just logs failures)."""
    headers = {
        "Accept": "*/*",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Delivery": delivery.guid,
        "X-GitHub-Event": delivery.event,
        "X-GitHub-Hook-ID": str(app.hook_id),
        "X-GitHub-Hook-Installation-Target-ID": str(app.id),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
    }
    if app.webhook_secret:
        headers.update(sign(app.webhook_secret, delivery.payload))
    delivery.request_headers = headers
    delivery.delivered_at = now()
    started = time.monotonic()
    try:
        if not delivery.url:
            raise requests.ConnectionError("no webhook URL configured")
        response = requests.post(delivery.url, data=delivery.payload, headers=headers,
                                 timeout=DELIVERY_TIMEOUT_SECONDS, allow_redirects=False)
    except requests.Timeout:
        delivery.status, delivery.status_code = "timed out", 0
    except requests.RequestException:
        delivery.status, delivery.status_code = "failed to connect to host", 0
    else:
        delivery.status_code = response.status_code
        delivery.status = "OK" if 200 <= response.status_code < 300 else (
            f"Invalid HTTP Response: {response.status_code}")
        delivery.response_headers = dict(response.headers)
        delivery.response_body = response.text[:MAX_RECORDED_RESPONSE]
    finally:
        delivery.duration = round(time.monotonic() - started, 2)
        delivery.done.set()


class WebhookSender:
    """One worker thread so deliveries arrive in the order the events happened."""

    def __init__(self, app: AppCredentials, now: Callable[[], float]) -> None:
        self._app = app
        self._now = now
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, delivery: Delivery, *, wait: bool = False,
               timeout: float = DELIVERY_TIMEOUT_SECONDS + 5) -> Delivery:
        self._ensure_worker()
        delivery.url = self._app.webhook_url  # the URL configured when the event happened
        self._queue.put(delivery)
        if wait:
            delivery.done.wait(timeout)
        return delivery

    def join(self, timeout: float = 30.0) -> bool:
        """Wait until everything queued so far has been attempted."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self) -> None:
        with self._lock:
            if self._thread is not None:
                self._queue.put(None)
                self._thread.join(timeout=DELIVERY_TIMEOUT_SECONDS + 5)
                self._thread = None

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-webhooks",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            try:
                if delivery is None:
                    return
                deliver(delivery, self._app, self._now)
            finally:
                self._queue.task_done()
