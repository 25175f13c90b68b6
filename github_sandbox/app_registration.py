"""Registering a GitHub App from a manifest, as github.com does it.

https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest

1. A page POSTs a form field ``manifest`` (JSON) to ``/settings/apps/new?state=…`` (or
   ``/organizations/{org}/settings/apps/new``). GitHub shows the App to be created.
2. On "Create GitHub App", GitHub redirects to the manifest's ``redirect_url`` with
   ``?code=…&state=…``. The code works once, within an hour.
3. ``POST /app-manifests/{code}/conversions`` (rest/apps.py) answers with the App's id, slug,
   private key, webhook secret and client credentials.

The sandbox hosts one App: registration gives that App the manifest's name, URLs, permissions
and events, and the conversion hands out its (working) credentials.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .html import e, hidden, layout
from .state import GitHubState
from .web import page

CODE_LIFETIME_SECONDS = 3600
REQUIRED = ("url", "hook_attributes")


def manifest_problems(manifest: Any) -> list[str]:
    """What GitHub would refuse in a manifest (the fields this sandbox relies on)."""
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"]
    problems = [f"{name} is missing" for name in REQUIRED if not manifest.get(name)]
    hook = manifest.get("hook_attributes")
    if isinstance(hook, dict) and not hook.get("url"):
        problems.append("hook_attributes.url is missing")
    if not manifest.get("redirect_url"):
        problems.append("redirect_url is missing (where GitHub sends the code)")
    for key in ("default_permissions",):
        if key in manifest and not isinstance(manifest[key], dict):
            problems.append(f"{key} must be an object")
    if "default_events" in manifest and not isinstance(manifest["default_events"], list):
        problems.append("default_events must be a list")
    return problems


@page("/settings/apps/new", methods=("GET", "POST"))
def new_app(state: GitHubState, request: Request) -> Response:
    return _new_app(state, request, organization=None)


@page("/organizations/<org>/settings/apps/new", methods=("GET", "POST"))
def new_org_app(state: GitHubState, request: Request, org: str) -> Response:
    return _new_app(state, request, organization=org)


def _new_app(state: GitHubState, request: Request, organization: str | None) -> Response:
    who = state.signed_in_login
    if request.method == "GET":
        return layout("Register a GitHub App", "<h1>Register a new GitHub App</h1>"
                      "<p>Post a <code>manifest</code> form field here to register an App "
                      "from a manifest.</p>", who=who)
    raw = request.form.get("manifest", "")
    try:
        manifest = json.loads(raw)
    except ValueError:
        manifest = None
    if problems := manifest_problems(manifest):
        items = "".join(f"<li>{e(problem)}</li>" for problem in problems)
        return layout("Invalid manifest", f"<h1>Invalid GitHub App manifest</h1><ul>{items}</ul>",
                      who=who, status=422)
    if request.form.get("confirm") != "create":
        owner = organization or who
        body = f"""<h1>Create GitHub App for {e(owner)}</h1>
<div class="box"><div class="head">{e(manifest.get("name") or "(unnamed)")}</div>
<div class="body"><p>Homepage: <code>{e(manifest.get("url"))}</code><br>
Webhook URL: <code>{e(manifest["hook_attributes"].get("url"))}</code><br>
Events: {e(", ".join(manifest.get("default_events") or []) or "none")}<br>
Permissions: {e(", ".join(f"{k}: {v}" for k, v in
                          sorted((manifest.get("default_permissions") or {}).items())))}</p>
<form method="post">{hidden(manifest=raw, state=request.args.get("state"), confirm="create")}
<button class="primary">Create GitHub App for {e(owner)}</button></form></div></div>"""
        return layout("Create GitHub App", body, who=who)
    code = secrets.token_hex(10)
    with state.lock:
        state.manifest_codes[code] = {"manifest": manifest,
                                      "expires_at": state.clock.now() + CODE_LIFETIME_SECONDS}
    query = {"code": code}
    if request.form.get("state") or request.args.get("state"):
        query["state"] = request.form.get("state") or request.args.get("state")
    return redirect(f"{manifest['redirect_url']}?{urlencode(query)}", code=302)


def apply_manifest(state: GitHubState, manifest: dict[str, Any]) -> None:
    """The sandbox's one App takes the manifest's name, URLs, permissions and events."""
    app = state.app
    app.name = str(manifest.get("name") or app.name)
    app.webhook_url = manifest["hook_attributes"]["url"]
    app.setup_url = manifest.get("setup_url") or app.setup_url
    callbacks = manifest.get("callback_urls") or []
    app.callback_url = callbacks[0] if callbacks else app.callback_url
    if manifest.get("default_permissions"):
        app.permissions = dict(manifest["default_permissions"])
    if manifest.get("default_events"):
        app.events = list(manifest["default_events"])
