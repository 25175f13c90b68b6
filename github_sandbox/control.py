"""`/_sandbox/...`: drive a sandbox running in another process (faults, clock, logs, state).

Not part of GitHub; unauthenticated, which is fine because the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from .faults import KINDS
from .models import Delivery
from .state import GitHubState, NotFound

# State operations other processes may call through `POST /_sandbox/call`.
CALLABLE = (
    "create_user", "create_org", "create_installation", "add_repository_to_installation",
    "remove_repository_from_installation", "delete_installation", "suspend_installation",
    "unsuspend_installation", "update_installation_permissions", "open_pull_request",
    "push_commit", "close_pull_request", "reopen_pull_request", "mark_ready_for_review",
    "rerequest_check_run", "request_check_run_action", "rerequest_check_suite",
    "set_branch_protection", "send_webhook", "redeliver", "wait_for_deliveries",
    "create_branch", "create_repository",
)


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, indent=2, default=_jsonable), status=status,
                    content_type="application/json; charset=utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Delivery):
        return value.as_dict()
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "id"):
        return {"id": value.id}
    return str(value)


def _body(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def add_fault(state: GitHubState, request: Request) -> Response:
    body = _body(request)
    try:
        fault = state.faults.add(body.pop("method"), body.pop("path_pattern"), body.pop("kind"),
                                 int(body.pop("times", 1)), **body)
    except (KeyError, ValueError) as error:
        return _json({"message": f"bad fault: {error}", "kinds": list(KINDS)}, 422)
    return _json(fault.as_dict(), 201)


def list_faults(state: GitHubState, request: Request) -> Response:
    return _json([f.as_dict() for f in state.faults.active()])


def clear_faults(state: GitHubState, request: Request) -> Response:
    state.faults.clear()
    return Response(status=204)


def list_requests(state: GitHubState, request: Request) -> Response:
    """`?since=N` returns entries from index N on, so a poller can read only what is new."""
    since = int(request.args.get("since", 0))
    with state.lock:
        return _json(state.requests[since:])


def clear_requests(state: GitHubState, request: Request) -> Response:
    with state.lock:
        state.requests.clear()
    return Response(status=204)


def stats(state: GitHubState, request: Request) -> Response:
    with state.lock:
        return _json({
            "token_requests": state.token_requests,
            "requests": len(state.requests),
            "deliveries": len(state.deliveries),
            "clock": state.clock.now(),
            "installations": sorted(state.installations),
            "check_runs": len(state.check_runs),
        })


def advance_clock(state: GitHubState, request: Request) -> Response:
    state.clock.advance(float(_body(request).get("advance", 0)))
    return _json({"now": state.clock.now()})


def list_deliveries(state: GitHubState, request: Request) -> Response:
    """`?wait=10` first waits (up to 10 s) for queued deliveries to be attempted."""
    if request.args.get("wait"):
        state.wait_for_deliveries(float(request.args["wait"]))
    with state.lock:
        return _json([d.as_dict() for d in state.deliveries])


def app_settings(state: GitHubState, request: Request) -> Response:
    """GET the App's settings; PATCH `webhook_url`, `setup_url`, `callback_url`."""
    app = state.app
    if request.method == "PATCH":
        for key, value in _body(request).items():
            if key in ("webhook_url", "setup_url", "callback_url"):
                setattr(app, key, value)
    return _json({"id": app.id, "slug": app.slug, "client_id": app.client_id,
                  "webhook_url": app.webhook_url, "setup_url": app.setup_url,
                  "callback_url": app.callback_url, "private_key_path": app.private_key_path})


def call(state: GitHubState, request: Request) -> Response:
    """`{"method": "open_pull_request", "args": [...], "kwargs": {...}}` -> its JSON result."""
    body = _body(request)
    name = body.get("method")
    if name not in CALLABLE:
        return _json({"message": f"unknown method {name!r}", "callable": list(CALLABLE)}, 422)
    try:
        result = getattr(state, name)(*body.get("args", []), **body.get("kwargs", {}))
    except NotFound as error:
        return _json({"message": f"Not Found: {error}"}, 404)
    except (TypeError, ValueError, KeyError) as error:
        return _json({"message": str(error)}, 422)
    return _json({"result": result})


Endpoint = Callable[[GitHubState, Request], Response]
CONTROL_RULES: list[tuple[Rule, Endpoint]] = [
    (Rule("/_sandbox/faults", methods=["POST"]), add_fault),
    (Rule("/_sandbox/faults", methods=["GET"]), list_faults),
    (Rule("/_sandbox/faults", methods=["DELETE"]), clear_faults),
    (Rule("/_sandbox/requests", methods=["GET"]), list_requests),
    (Rule("/_sandbox/requests", methods=["DELETE"]), clear_requests),
    (Rule("/_sandbox/stats", methods=["GET"]), stats),
    (Rule("/_sandbox/clock", methods=["POST"]), advance_clock),
    (Rule("/_sandbox/deliveries", methods=["GET"]), list_deliveries),
    (Rule("/_sandbox/app", methods=["GET", "PATCH"]), app_settings),
    (Rule("/_sandbox/call", methods=["POST"]), call),
]
