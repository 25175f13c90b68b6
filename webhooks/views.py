"""The GitHub webhook receiver: verify, store, acknowledge.

Processing is asynchronous on purpose: GitHub waits at most 10 seconds for a 2xx and never
retries a failed delivery by itself, so the receiver only verifies the signature, stores the
delivery (the stored row is the source of truth), enqueues it once the row is committed, and
answers. A worker does the rest.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from webhooks import dispatch, metrics, services, signatures
from webhooks.conf import webhook_settings
from webhooks.models import WebhookEvent
from webhooks.routing import router

HEADER_EVENT = "X-GitHub-Event"
HEADER_DELIVERY = "X-GitHub-Delivery"
HEADER_HOOK_ID = "X-GitHub-Hook-ID"
HEADER_SIGNATURE_256 = "X-Hub-Signature-256"

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_FORM = "application/x-www-form-urlencoded"
MAX_HEADER_LENGTH = 64
PING_EVENT = "ping"


def _reject(status: int, reason: str, message: str) -> JsonResponse:
    metrics.REJECTED.labels(reason).inc()
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest) -> JsonResponse:
    """``POST /api/webhooks/github``: the checks run in the order that leaks least."""
    started = time.monotonic()
    try:
        return _receive(request)
    finally:
        metrics.ACK_SECONDS.observe(time.monotonic() - started)


def _receive(request: HttpRequest) -> JsonResponse:
    secrets = [s for s in settings.GITHUB_WEBHOOK_SECRETS if s]
    if not secrets:  # never accept unsigned deliveries, not even in development
        services.log.error("GITHUB_WEBHOOK_SECRET is not set: refusing webhook deliveries")
        return _reject(500, "not_configured", "webhook secret not configured")

    limit = webhook_settings().max_body_bytes
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not DIGITS.fullmatch(declared) or int(declared) > limit:
        return _reject(413, "too_large", f"body larger than {limit} bytes")
    body = request.read(limit + 1)  # bounded, even if the length header lied
    if len(body) > limit:
        return _reject(413, "too_large", f"body larger than {limit} bytes")
    if not body:
        return _reject(400, "empty", "empty body")

    if not signatures.verify(body, request.headers.get(HEADER_SIGNATURE_256), secrets):
        return _reject(401, "bad_signature",
                       f"missing, malformed or wrong {HEADER_SIGNATURE_256}")

    # Only now, with the sender authenticated, is anything in the request interpreted.
    event = (request.headers.get(HEADER_EVENT) or "").strip()
    delivery_id = (request.headers.get(HEADER_DELIVERY) or "").strip()
    if not event or not delivery_id:
        return _reject(400, "missing_header", f"{HEADER_EVENT} and {HEADER_DELIVERY} required")
    if len(event) > MAX_HEADER_LENGTH or len(delivery_id) > MAX_HEADER_LENGTH:
        return _reject(400, "bad_header", "event or delivery header too long")
    parsed = _parse(body, request.content_type or "")
    if parsed is None:
        return _reject(400, "not_json", "payload is not a JSON object")
    payload, payload_json = parsed
    if (b"\\u" in body or b"%5" in body) and _MAYBE_UNSTORABLE.search(body):
        payload, payload_json = storable(payload), None
    hook_id = request.headers.get(HEADER_HOOK_ID, "")

    elog = services.event_log(delivery_id=delivery_id, event=event,
                              action=str(payload.get("action") or ""),
                              installation_id=(payload.get("installation") or {}).get("id")
                              if isinstance(payload.get("installation"), dict) else None)
    is_ping = event == PING_EVENT
    # On PostgreSQL the INSERT itself wakes a worker's dispatcher: the broker is off the
    # request path. Elsewhere the receiver publishes once the row is committed.
    announce = not is_ping and dispatch.notify_dispatch()
    try:
        # One autocommit INSERT: the row is durable before anything is published or answered.
        stored, created = services.webhook_event_store(
            delivery_id=delivery_id, event=event, payload=payload, payload_json=payload_json,
            hook_id=int(hook_id) if DIGITS.fullmatch(hook_id) else None, notify=announce,
            **({"status": WebhookEvent.Status.IGNORED,
                "status_reason": router.ignored_reason(PING_EVENT, None) or "ping"}
               if is_ping else {}),
        )
    except (OperationalError, InterfaceError) as error:
        # The database is unreachable: GitHub records the failure and `redeliver_webhooks`
        # asks for it again later. (Other database errors are bugs and answer 500.)
        elog.error("could not store the delivery (%s): answering 503", type(error).__name__)
        return _reject(503, "database_unavailable", "temporarily unable to store the delivery")

    if created and not is_ping and not announce:
        # Runs at once in autocommit (the row is committed); deferred inside a transaction.
        services.webhook_event_enqueue_on_commit(stored.pk)
    if not created:
        elog.info("duplicate delivery: already stored as %s", stored.status)
        metrics.EVENTS.labels(event, "duplicate").inc()
        return JsonResponse({"delivery": delivery_id, "status": "duplicate"}, status=200)
    metrics.EVENTS.labels(event, "received").inc()
    if is_ping:
        elog.info("ping received (hook %s)", hook_id or "?")
        return JsonResponse({"delivery": delivery_id, "status": "pong",
                             "zen": str(payload.get("zen") or "")}, status=200)
    elog.info("stored and queued")
    return JsonResponse({"delivery": delivery_id, "status": "queued"}, status=202)


# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
DIGITS = re.compile(r"[0-9]{1,19}")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# What a JSON body must contain for the parsed payload to hold NUL or a lone surrogate: the
# escapes \u0000 or \ud800-\udfff (JSON forbids them raw). Most bodies have neither, and
# checking the bytes is far cheaper than walking every string of the payload.
_MAYBE_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|%5[cC]u(?:0000|[dD][89a-fA-F])")


def storable(value: Any) -> Any:
    """The payload with what PostgreSQL's jsonb cannot hold (NUL, lone surrogates) replaced by
    U+FFFD: GitHub does send such characters (in diffs, PR bodies), and refusing them would
    lose the delivery for good."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _parse(body: bytes, content_type: str) -> tuple[dict[str, Any], str | None] | None:
    """``(payload, JSON text)`` from either content type GitHub offers; ``None`` if the body is
    not a JSON object. The text is the payload exactly as sent (stored as is, not serialized
    again); it is ``None`` when only the parsed payload can be stored."""
    try:
        if content_type == CONTENT_TYPE_FORM:
            fields = parse_qs(body.decode("utf-8"), max_num_fields=20, strict_parsing=False)
            values = fields.get("payload") or []
            if len(values) != 1:
                return None
            text = values[0]
        else:
            text = body.decode("utf-8")
        payload = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError):
        return None
    return (payload, text) if isinstance(payload, dict) else None


def _refuse_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON (Python accepts them; PostgreSQL does not)."""
    raise ValueError(f"{name} is not JSON")
