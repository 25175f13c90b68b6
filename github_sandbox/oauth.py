"""GitHub's web OAuth flow for the App's user authorization: authorize page and token exchange.

https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .html import e, hidden, layout
from .state import REFRESH_TOKEN_TTL, USER_TOKEN_TTL, GitHubState
from .web import page

ERROR_DOCS = ("https://docs.github.com/apps/managing-oauth-apps/"
              "troubleshooting-oauth-app-access-token-request-errors")


def _redirect_allowed(state: GitHubState, redirect_uri: str) -> bool:
    """Same scheme, host and port as the callback URL, and a path beneath it (GitHub's rule)."""
    callback = state.app.callback_url
    if not callback:
        return True
    want, got = urlsplit(callback), urlsplit(redirect_uri)
    return (want.scheme, want.netloc) == (got.scheme, got.netloc) and got.path.startswith(
        want.path.rstrip("/"))


@page("/login/oauth/authorize", methods=("GET", "POST"))
def authorize(state: GitHubState, request: Request) -> Response:
    """The consent page; "Authorize" redirects to `redirect_uri` with `code` and `state`."""
    params = request.values
    if params.get("client_id") != state.app.client_id:
        return layout("Not found", "<h1>404</h1><p>The <code>client_id</code> is not valid.</p>",
                      status=404)
    redirect_uri = params.get("redirect_uri") or state.app.callback_url or ""
    if not redirect_uri or not _redirect_allowed(state, redirect_uri):
        return layout("Redirect URI mismatch",
                      "<h1>The redirect_uri is not associated with this application.</h1>",
                      status=400)
    login = params.get("login") or state.signed_in_login
    if request.method == "POST":
        if params.get("decision") == "cancel":
            query = {"error": "access_denied", "error_description":
                     "The user has denied your application access.", "state": params.get("state")}
        else:
            query = {"code": state.create_oauth_code(login, redirect_uri, params.get("state")),
                     "state": params.get("state")}
        separator = "&" if "?" in redirect_uri else "?"
        clean = {k: v for k, v in query.items() if v is not None}
        return redirect(f"{redirect_uri}{separator}{urlencode(clean)}", code=302)
    users = sorted(a.login for a in state.accounts.values() if not a.is_org)
    options = "".join(f'<option{" selected" if u == login else ""}>{e(u)}</option>'
                      for u in users)
    fields = hidden(client_id=state.app.client_id, redirect_uri=redirect_uri,
                    state=params.get("state"), scope=params.get("scope"))
    body = f"""
<div class="box" style="max-width:520px;margin:40px auto">
  <div class="head">Authorize {e(state.app.name)}</div>
  <div class="body">
    <p><b>{e(state.app.name)}</b> by <b>{e(state.app.owner_login)}</b> wants to verify your
       GitHub identity and know which resources you can access.</p>
    <p class="muted">Redirecting to <code>{e(redirect_uri)}</code></p>
    <form method="post" action="/login/oauth/authorize">{fields}
      <p>Continue as <select name="login">{options}</select></p>
      <button class="primary" name="decision" value="authorize">Authorize {e(state.app.slug)}
      </button>
      <button name="decision" value="cancel">Cancel</button>
    </form>
  </div>
</div>"""
    return layout("Authorize application", body, who=login)


def _answer(request: Request, data: dict[str, Any]) -> Response:
    """JSON when asked for (`Accept: application/json`), else form-encoded, like GitHub."""
    if "json" in (request.headers.get("Accept") or ""):
        return Response(json.dumps(data), content_type="application/json; charset=utf-8")
    return Response(urlencode(data), content_type="application/x-www-form-urlencoded")


def _error(request: Request, code: str, description: str) -> Response:
    return _answer(request, {"error": code, "error_description": description,
                             "error_uri": f"{ERROR_DOCS}#{code.replace('_', '-')}"})


@page("/login/oauth/access_token", methods=("POST",))
def access_token(state: GitHubState, request: Request) -> Response:
    """Exchange a code (or a refresh token) for a `ghu_` user token; errors answer 200."""
    params: dict[str, Any] = dict(request.values.items())
    if request.is_json:
        params.update(request.get_json(silent=True) or {})
    response = _exchange(state, request, params)
    redacted = {k: ("[redacted]" if k == "client_secret" else v) for k, v in params.items()}
    state.record_request({"method": "POST", "path": request.path, "query": {},
                          "headers": {k: v for k, v in request.headers.items()},
                          "json": redacted, "status": response.status_code,
                          "response": None, "caller": "oauth", "kind": "web",
                          "at": state.clock.now()})
    return response


def _exchange(state: GitHubState, request: Request, params: dict[str, Any]) -> Response:
    if params.get("client_id") != state.app.client_id or (
            params.get("client_secret") != state.app.client_secret):
        return _error(request, "incorrect_client_credentials",
                      "The client_id and/or client_secret passed are incorrect.")
    now = state.clock.now()
    if params.get("grant_type") == "refresh_token":
        with state.lock:
            refresh = state.refresh_tokens.get(str(params.get("refresh_token")))
            if refresh is None or refresh.used or refresh.expires_at <= now:
                return _error(request, "bad_refresh_token",
                              "The refresh token passed is incorrect or expired.")
            refresh.used = True
        login = refresh.user_login
    else:
        with state.lock:
            grant = state.oauth_codes.pop(str(params.get("code")), None)
        if grant is None or grant["expires_at"] <= now:
            return _error(request, "bad_verification_code",
                          "The code passed is incorrect or expired.")
        if params.get("redirect_uri") and grant["redirect_uri"] and (
                params["redirect_uri"] != grant["redirect_uri"]):
            return _error(request, "redirect_uri_mismatch",
                          "The redirect_uri MUST match the registered callback URL for this "
                          "application.")
        login = grant["login"]
    token, new_refresh = state.issue_user_token(login)
    assert new_refresh is not None
    return _answer(request, {
        "access_token": token.token, "expires_in": USER_TOKEN_TTL,
        "refresh_token": new_refresh.token, "refresh_token_expires_in": REFRESH_TOKEN_TTL,
        "scope": "", "token_type": "bearer",
    })
