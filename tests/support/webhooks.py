"""Posting signed GitHub webhook deliveries the way GitHub does, for every test package.

    payload = load_fixture("pull_request", "opened")
    response = post_webhook(client, "pull_request", payload)          # Django test client
    response = post_webhook(live_server.url, "ping", load_fixture("ping"))  # real HTTP

Signatures are computed here independently of the product's verifier, so a bug there cannot
be mirrored by the test.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
WEBHOOK_PATH = "/api/webhooks/github"
DEFAULT_HOOK_ID = "448855011"


def default_secret() -> str:
    """The first configured secret (tests/settings.py sets ``test-webhook-secret``)."""
    from django.conf import settings

    secrets = getattr(settings, "GITHUB_WEBHOOK_SECRETS", None) or [
        os.environ.get("GITHUB_WEBHOOK_SECRET", "test-webhook-secret").split(",")[0]]
    return secrets[0]


def fixture_path(event: str, action: str | None = None) -> Path:
    return FIXTURES / (f"{event}__{action}.json" if action else f"{event}.json")


@cache
def _fixture_text(event: str, action: str | None) -> str:
    path = fixture_path(event, action)
    if not path.exists():
        raise FileNotFoundError(f"no webhook fixture {path.name} in {FIXTURES}")
    return path.read_text()


def load_fixture(event: str, action: str | None = None) -> dict[str, Any]:
    """A fresh copy of GitHub's example payload for ``event`` / ``action``."""
    return copy.deepcopy(json.loads(_fixture_text(event, action)))


def all_fixtures() -> list[tuple[str, str | None]]:
    """Every ``(event, action)`` there is a fixture for."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        event, _, action = path.stem.partition("__")
        found.append((event, action or None))
    return found


def sign(body: bytes, secret: str) -> str:
    """``X-Hub-Signature-256`` for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_sha1(body: bytes, secret: str) -> str:
    """The legacy ``X-Hub-Signature`` GitHub also sends (not enough on its own)."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def encode(payload: dict[str, Any] | bytes | str, content_type: str = "json"
           ) -> tuple[bytes, str]:
    """The body and Content-Type for ``json`` or ``form`` (``payload=<json>``) delivery."""
    if isinstance(payload, bytes | str):
        raw = payload.encode() if isinstance(payload, str) else payload
        text = raw.decode("utf-8", errors="surrogateescape")
    else:
        text = json.dumps(payload)
        raw = text.encode()
    if content_type == "form":
        return urlencode({"payload": text}).encode(), "application/x-www-form-urlencoded"
    return raw, "application/json"


def webhook_headers(event: str | None, body: bytes, *, secret: str | None,
                    delivery: str | None, content_type: str,
                    signature: str | None = None, sha1: bool = True) -> dict[str, str]:
    """The headers GitHub sends with a delivery (``None`` leaves one out)."""
    headers = {
        "Content-Type": content_type,
        "User-Agent": "GitHub-Hookshot/test",
        "X-GitHub-Hook-ID": DEFAULT_HOOK_ID,
        "X-GitHub-Hook-Installation-Target-Type": "integration",
    }
    if delivery is not None:
        headers["X-GitHub-Delivery"] = delivery
    if event is not None:
        headers["X-GitHub-Event"] = event
    if secret is not None:
        headers["X-Hub-Signature-256"] = signature or sign(body, secret)
        if sha1:
            headers["X-Hub-Signature"] = sign_sha1(body, secret)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return headers


def post_webhook(client_or_url: Any, event: str | None, payload: dict[str, Any] | bytes | str,
                 *, secret: str | None = "", delivery: str | None = "",
                 content_type: str = "json", signature: str | None = None,
                 extra_headers: dict[str, str] | None = None, timeout: float = 15.0) -> Any:
    """POST a signed delivery through the real view; returns the response.

    ``client_or_url`` is a Django test ``Client`` or a base URL (``live_server.url``, a
    running service). ``secret=""`` uses the configured secret and ``secret=None`` sends no
    signature; ``delivery=""`` makes a fresh GUID and ``delivery=None`` sends none;
    ``event=None`` leaves ``X-GitHub-Event`` out.
    """
    body, mime = encode(payload, content_type)
    if secret == "":
        secret = default_secret()
    if delivery == "":
        delivery = str(uuid.uuid4())
    headers = webhook_headers(event, body, secret=secret, delivery=delivery,
                              content_type=mime, signature=signature)
    headers.update(extra_headers or {})
    if isinstance(client_or_url, str):
        import requests

        url = client_or_url.rstrip("/")
        if not url.endswith(WEBHOOK_PATH):
            url += WEBHOOK_PATH
        return requests.post(url, data=body, headers=headers, timeout=timeout)
    return client_or_url.generic("POST", WEBHOOK_PATH, data=body, content_type=mime,
                                 headers={k: v for k, v in headers.items()
                                          if k != "Content-Type"})
