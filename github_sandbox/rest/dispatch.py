"""One REST request end to end: auth, faults, rate limit, handler, ETag, headers, request log."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from werkzeug.wrappers import Request, Response

from ..auth import BAD_JWT, AuthError, Caller, authenticate
from ..clock import iso8601
from ..faults import Fault
from ..identifiers import request_id
from ..ratelimit import Budget
from ..representations import error_json
from ..state import GitHubState, NotFound
from .framework import ApiError, Context, Reply, Route

DEFAULT_API_VERSION = "2022-11-28"
RATE_LIMIT_DOCS = ("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                   "#about-secondary-rate-limits")
PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SERVER_ERROR_MESSAGES = {500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                         504: "Gateway Timeout"}
DEFAULT_DROP_DELAY = 15.0


def handle(state: GitHubState, request: Request, route: Route,
           values: dict[str, Any]) -> Response:
    rid = request_id()
    caller = Caller("anonymous", address=request.remote_addr or "127.0.0.1")
    reply: Reply
    spend = route.counts
    fault: Fault | None = None
    try:
        caller = authenticate(state, request.headers.get("Authorization"), caller.address)
        _check_auth_class(route, caller)
        fault = state.faults.take(request.method, request.path)
        if fault is not None and fault.kind == "slow":
            fault.hold(float(fault.options.get("delay", 2.0)))
        if fault is not None and fault.kind not in ("slow", "drop"):
            reply = _fault_reply(state, fault, caller, rid)
            spend = False
        elif route.counts and state.ratelimits.peek(*caller.rate_owner).remaining == 0:
            reply = _exhausted(state, caller, rid)
            spend = False
        else:
            reply = route.handler(Context(state, request, caller, route), **values)
    except AuthError as error:
        reply, spend = Reply(error.status, error_json(error.message, error.status)), False
    except ApiError as error:
        reply = Reply(error.status, error_json(error.message, error.status, errors=error.errors,
                                               documentation_url=error.documentation_url),
                      headers=dict(error.headers))
    except NotFound:
        reply = Reply(404, error_json("Not Found", 404))
    response = _render(state, request, route, caller, reply, rid, spend=spend)
    if fault is not None and fault.kind == "drop":
        # The operation happened; the answer arrives after the client has given up.
        fault.hold(float(fault.options.get("delay", DEFAULT_DROP_DELAY)))
    return response


def _check_auth_class(route: Route, caller: Caller) -> None:
    """App-JWT-only endpoints read any other credential as a JWT that fails to decode; the
    token endpoints refuse an App JWT (repository endpoints do so in `Context.repo`)."""
    if route.auth == "app" and caller.kind != "app":
        raise AuthError(401, BAD_JWT)
    if route.auth in ("token", "user") and caller.kind == "app" and route.rule.startswith(
            ("/installation", "/user")):
        raise ApiError(403, "Resource not accessible by integration")


def _fault_reply(state: GitHubState, fault: Fault, caller: Caller, rid: str) -> Reply:
    now = int(state.clock.now())
    if fault.kind == "server_error":
        status = int(fault.options.get("status", 500))
        return Reply(status, error_json(SERVER_ERROR_MESSAGES.get(status, "Server Error"), status))
    if fault.kind == "primary_rate_limit":
        owner, kind = caller.rate_owner
        budget = state.ratelimits.peek(owner, kind)
        reset = now + int(fault.options.get("reset_in", 5))
        headers = Budget(budget.limit, budget.limit, reset).headers()
        return Reply(403, error_json(_exceeded_message(caller, rid, now), 403,
                                     documentation_url=PRIMARY_DOCS), headers=headers)
    retry_after = fault.options.get("retry_after", 60)
    headers = {} if retry_after is None else {"retry-after": str(int(retry_after))}
    message = ("You have exceeded a secondary rate limit. Please wait a few minutes before you "
               "try again. If you reach out to GitHub Support for help, please include the "
               f"request ID {rid}.")
    return Reply(403, error_json(message, 403, documentation_url=RATE_LIMIT_DOCS),
                 headers=headers)


def _exceeded_message(caller: Caller, rid: str, now: int) -> str:
    if caller.kind == "installation" and caller.installation is not None:
        who = f"installation ID {caller.installation.id}"
    elif caller.kind == "user" and caller.user is not None:
        who = f"user ID {caller.user.id}"
    else:
        who = caller.address
    return (f"API rate limit exceeded for {who}. If you reach out to GitHub Support for help, "
            f"please include the request ID {rid} and timestamp {iso8601(now)} UTC.")


def _exhausted(state: GitHubState, caller: Caller, rid: str) -> Reply:
    return Reply(403, error_json(_exceeded_message(caller, rid, int(state.clock.now())), 403,
                                 documentation_url=PRIMARY_DOCS))


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in candidates or "*" in candidates


def _render(state: GitHubState, request: Request, route: Route, caller: Caller, reply: Reply,
            rid: str, *, spend: bool) -> Response:
    body = reply.raw if reply.raw is not None else (
        b"" if reply.body is None else json.dumps(reply.body, indent=2).encode())
    headers: dict[str, str] = {
        "x-github-request-id": rid,
        "x-github-media-type": "github.v3; format=json",
        "x-github-api-version-selected": request.headers.get("X-GitHub-Api-Version",
                                                             DEFAULT_API_VERSION),
        "Vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
    }
    if route.permission:
        headers["x-accepted-github-permissions"] = "=".join(route.permission)
    if caller.token is not None and caller.token.expires_at is not None:
        headers["github-authentication-token-expiration"] = (
            iso8601(caller.token.expires_at).replace("T", " ").replace("Z", " UTC"))
    status = reply.status
    if request.method == "GET" and status == 200 and reply.raw is None:
        etag = _etag(body)
        headers["ETag"] = etag
        headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
        if _matches(request.headers.get("If-None-Match"), etag):
            status, body, spend = 304, b"", False  # a 304 costs no rate limit, as GitHub says
    owner, kind = caller.rate_owner
    budget = state.ratelimits.spend(owner, kind) if spend else state.ratelimits.peek(owner, kind)
    rate_headers = budget.headers()
    rate_headers.update({k.lower(): v for k, v in reply.headers.items()
                         if k.lower().startswith("x-ratelimit")})
    headers.update(rate_headers)
    headers.update({k: v for k, v in reply.headers.items()
                    if not k.lower().startswith("x-ratelimit")})
    bodiless = status == 304 or (not body and status in (204, 302))
    response = Response(body, status=status, headers=headers,
                        content_type=None if bodiless else reply.content_type)
    state.record_request(_log_entry(state, request, caller, status, reply, rid))
    return response


def _log_entry(state: GitHubState, request: Request, caller: Caller, status: int,
               reply: Reply, rid: str) -> dict[str, Any]:
    """What tests inspect: the request as sent (Authorization reduced to its scheme)."""
    headers = {k: v for k, v in request.headers.items()}
    if "Authorization" in headers:
        headers["Authorization"] = headers["Authorization"].split(" ", 1)[0]
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = raw.decode("utf-8", errors="replace")
    return {
        "method": request.method, "path": request.path,
        "query": {k: v for k, v in request.args.items()}, "headers": headers, "json": body,
        "status": status, "response": reply.body if reply.raw is None else None,
        "caller": caller.kind, "request_id": rid, "at": state.clock.now(),
    }
