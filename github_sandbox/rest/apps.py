"""App endpoints: the App itself, its installations, installation tokens, webhook deliveries."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from ..auth import LEVELS
from ..clock import iso8601
from ..models import Delivery, Installation
from ..representations import app_json, installation_json, repository_json
from ..state import NotFound
from .framework import ApiError, Context, Reply, not_found, route


def _installation(ctx: Context, installation_id: str) -> Installation:
    try:
        return ctx.state.installation(ctx.integer(installation_id))
    except NotFound:
        raise not_found() from None


@route("GET", "/app", auth="app")
def get_app(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/apps#get-the-authenticated-app"""
    owner = ctx.state.account(ctx.state.app.owner_login)
    return Reply(body=app_json(ctx.state.app, owner, ctx.base,
                               installations_count=len(ctx.state.installations)))


@route("POST", "/app-manifests/<code>/conversions", auth="public", counts=False)
def create_app_from_manifest(ctx: Context, code: str) -> Reply:
    """https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest"""
    from ..app_registration import apply_manifest

    with ctx.state.lock:
        grant = ctx.state.manifest_codes.pop(code, None)
        if grant is None or grant["expires_at"] < ctx.state.clock.now():
            raise not_found()
        apply_manifest(ctx.state, grant["manifest"])
    app = ctx.state.app
    owner = ctx.state.account(app.owner_login)
    return Reply(status=201, body={
        **app_json(app, owner, ctx.base), "client_secret": app.client_secret,
        "webhook_secret": app.webhook_secret, "pem": app.private_key_pem})


@route("GET", "/app/installations", auth="app")
def list_installations(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/apps#list-installations-for-the-authenticated-app"""
    installations = sorted(ctx.state.installations.values(), key=lambda i: i.id)
    page, headers = ctx.page(installations)
    return Reply(body=[installation_json(i, ctx.state.app, ctx.base) for i in page],
                 headers=headers)


@route("GET", "/app/installations/<installation_id>", auth="app")
def get_installation(ctx: Context, installation_id: str) -> Reply:
    """https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app"""
    inst = _installation(ctx, installation_id)
    return Reply(body=installation_json(inst, ctx.state.app, ctx.base))


@route("GET", "/repos/<owner>/<repo>/installation", auth="app")
def get_repo_installation(ctx: Context, owner: str, repo: str) -> Reply:
    """https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"""
    try:
        target = ctx.state.repository(owner, repo)
    except NotFound:
        raise not_found() from None
    inst = ctx.state.installation_for_repo(target)
    if inst is None:
        raise not_found()
    return Reply(body=installation_json(inst, ctx.state.app, ctx.base))


@route("POST", "/app/installations/<installation_id>/access_tokens", auth="app")
def create_access_token(ctx: Context, installation_id: str) -> Reply:
    """https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"""
    inst = _installation(ctx, installation_id)
    if inst.suspended_at is not None:
        raise ApiError(403, "This installation has been suspended")
    body = ctx.json()
    available = {r.name: r for r in ctx.state.installation_repositories(inst)}
    by_id = {r.id: r for r in available.values()}
    selected = None
    names, ids = body.get("repositories"), body.get("repository_ids")
    if names is not None or ids is not None:
        wanted_names = list(names or [])
        wanted_ids = list(ids or [])
        if any(n not in available for n in wanted_names) or any(i not in by_id for i in wanted_ids):
            raise ApiError(422, "There is at least one repository that does not exist or is not "
                                "accessible to the parent installation.")
        selected = [available[n] for n in wanted_names] + [by_id[i] for i in wanted_ids]
    permissions = body.get("permissions")
    if permissions is not None and (not isinstance(permissions, dict) or any(
        inst.permissions.get(k) is None or v not in LEVELS
        or LEVELS[v] > LEVELS[inst.permissions[k]] for k, v in permissions.items()
    )):
        raise ApiError(422, "The permissions requested are not granted to this installation.")
    token = ctx.state.issue_installation_token(
        inst, {r.id for r in selected} if selected is not None else None, permissions)
    data: dict[str, Any] = {
        "token": token.token,
        "expires_at": iso8601(token.expires_at or 0),
        "permissions": token.permissions,
        "repository_selection": "selected" if selected is not None else inst.repository_selection,
    }
    if selected is not None:
        data["repositories"] = [repository_json(r, ctx.base) for r in selected]
    return Reply(201, data)


@route("DELETE", "/installation/token")
def revoke_installation_token(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/installations#revoke-an-installation-access-token"""
    if ctx.caller.kind != "installation" or ctx.caller.token is None:
        raise ApiError(403, "Resource not accessible by integration")
    ctx.caller.token.revoked = True
    return Reply(204)


@route("GET", "/installation/repositories")
def list_installation_repositories(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation"""
    caller = ctx.caller
    if caller.kind != "installation" or caller.installation is None or caller.token is None:
        raise ApiError(403, "Resource not accessible by integration")
    repos = ctx.state.installation_repositories(caller.installation)
    selection = caller.installation.repository_selection
    if caller.token.repository_ids is not None:
        repos = [r for r in repos if r.id in caller.token.repository_ids]
        selection = "selected"
    page, headers = ctx.page(repos)
    return Reply(body={"total_count": len(repos), "repository_selection": selection,
                       "repositories": [repository_json(r, ctx.base) for r in page]},
                 headers=headers)


# ---- webhook deliveries ------------------------------------------------------------------------

def delivery_item(d: Delivery) -> dict[str, Any]:
    """`hook-delivery-item`."""
    return {
        "id": d.id, "guid": d.guid,
        "delivered_at": iso8601(d.delivered_at) if d.delivered_at else iso8601(0),
        "redelivery": d.redelivery, "duration": d.duration, "status": d.status,
        "status_code": d.status_code, "event": d.event, "action": d.action,
        "installation_id": d.installation_id, "repository_id": d.repository_id,
        "throttled_at": None,
    }


@route("GET", "/app/hook/deliveries", auth="app")
def list_deliveries(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/webhooks#list-deliveries-for-an-app-webhook

    Newest first, cursor-paginated: the `Link` rel="next" URL carries `cursor`."""
    from ..pagination import page_params

    per_page, _ = page_params(ctx.args)
    with ctx.state.lock:
        items = sorted(ctx.state.deliveries, key=lambda d: d.id, reverse=True)
    status = ctx.args.get("status")
    if status == "success":
        items = [d for d in items if 200 <= d.status_code < 300]
    elif status == "failure":
        items = [d for d in items if not 200 <= d.status_code < 300]
    cursor = ctx.args.get("cursor")
    if cursor:
        try:
            after = int(cursor.removeprefix("v1_"))
        except ValueError:
            raise ApiError(400, "Invalid cursor") from None
        items = [d for d in items if d.id < after]
    page = items[:per_page]
    headers = {}
    if len(items) > per_page:
        query = {**ctx.args, "per_page": str(per_page), "cursor": f"v1_{page[-1].id}"}
        headers["Link"] = f'<{ctx.base}{ctx.request.path}?{urlencode(query)}>; rel="next"'
    return Reply(body=[delivery_item(d) for d in page], headers=headers)


def _delivery(ctx: Context, delivery_id: str) -> Delivery:
    wanted = ctx.integer(delivery_id)
    with ctx.state.lock:
        found = next((d for d in ctx.state.deliveries if d.id == wanted), None)
    if found is None:
        raise not_found()
    return found


@route("GET", "/app/hook/deliveries/<delivery_id>", auth="app")
def get_delivery(ctx: Context, delivery_id: str) -> Reply:
    """https://docs.github.com/rest/apps/webhooks#get-a-delivery-for-an-app-webhook"""
    d = _delivery(ctx, delivery_id)
    return Reply(body={
        **delivery_item(d),
        "url": d.url or "",
        "request": {"headers": d.request_headers, "payload": json.loads(d.payload)},
        "response": {"headers": d.response_headers, "payload": d.response_body},
    })


@route("POST", "/app/hook/deliveries/<delivery_id>/attempts", auth="app")
def redeliver(ctx: Context, delivery_id: str) -> Reply:
    """https://docs.github.com/rest/apps/webhooks#redeliver-a-delivery-for-an-app-webhook"""
    d = _delivery(ctx, delivery_id)
    ctx.state.redeliver(d.id)
    return Reply(202, {})
