"""Reading webhook payloads defensively: a missing field is a permanent, named failure."""

from __future__ import annotations

from typing import Any

from webhooks.errors import MalformedPayload

_MISSING = object()


def lookup(payload: Any, path: str, default: Any = None) -> Any:
    """``payload["a"]["b"]`` for ``"a.b"``, or ``default`` when any step is absent."""
    value = payload
    for key in path.split("."):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return default
    return value


def require(payload: Any, path: str) -> Any:
    """The value at ``path`` (``"pull_request.head.sha"``); raises ``MalformedPayload`` naming
    the path (never the payload) when it is missing or null."""
    value = lookup(payload, path, _MISSING)
    if value is _MISSING or value is None:
        raise MalformedPayload(f"payload has no {path}")
    return value


def summarize(payload: dict[str, Any]) -> dict[str, Any]:
    """The columns stored beside the payload so events can be searched without parsing JSON."""
    installation_id = lookup(payload, "installation.id")
    repository_id = lookup(payload, "repository.id")
    sender_id = lookup(payload, "sender.id")
    return {
        "action": _text(payload.get("action"), 64),
        "installation_id": installation_id if _is_id(installation_id) else None,
        "repository_id": repository_id if _is_id(repository_id) else None,
        "repository_full_name": _text(lookup(payload, "repository.full_name"), 255),
        "sender_id": sender_id if _is_id(sender_id) else None,
        "sender_login": _text(lookup(payload, "sender.login"), 255),
    }


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
