"""`/apps/{slug}/installations/new`: choose an account and repositories, install, go to setup.

Installing sends `installation.created` and redirects to the App's setup URL with
`installation_id`, `setup_action=install` and the `state` the product passed in. Choosing an
account that already has the App updates its repository selection (`setup_action=update`).
`suggested_target_id` puts that account first and `repository_ids[]` pre-selects repositories,
as on GitHub. A member (not an admin) of an organization can only *request* the install: the
request is recorded for the owners and the setup URL gets `setup_action=request` and the state.
"""

from __future__ import annotations

from urllib.parse import urlencode

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from .html import e, hidden, layout
from .models import Account, Installation
from .state import GitHubState
from .web import page


def _installable_accounts(state: GitHubState, login: str) -> list[Account]:
    with state.lock:
        return sorted((a for a in state.accounts.values() if state.is_admin(login, a)),
                      key=lambda a: (a.is_org, a.login.lower()))


def _existing(state: GitHubState, account: Account) -> Installation | None:
    return next((i for i in state.installations.values() if i.account is account), None)


@page("/apps/<slug>/installations/new", methods=("GET", "POST"))
def install(state: GitHubState, request: Request, slug: str) -> Response:
    if slug != state.app.slug:
        return layout("Not found", "<h1>404</h1><p>No such GitHub App.</p>", status=404)
    if request.method == "POST":
        return _install(state, request)
    who = state.signed_in_login
    suggested = request.args.get("suggested_target_id", "")
    wanted = {int(i) for i in request.args.getlist("repository_ids[]") if i.isdigit()}
    accounts = sorted(_installable_accounts(state, who) + _requestable_accounts(state, who),
                      key=lambda a: str(a.id) != suggested)
    cards = []
    for account in accounts:
        repos = sorted((r for r in state.repositories.values() if r.owner is account),
                       key=lambda r: r.name)
        existing = _existing(state, account)
        chosen = {r.id for r in state.installation_repositories(existing)} if existing else set()
        preselect = not existing and bool(wanted & {r.id for r in repos})
        if preselect:
            chosen = wanted
        checkboxes = "".join(
            f'<label><input type="checkbox" name="repository" value="{e(r.name)}"'
            f'{" checked" if r.id in chosen else ""}> {e(r.full_name)}</label><br>'
            for r in repos) or '<span class="muted">No repositories</span>'
        selection = existing.repository_selection if existing else (
            "selected" if preselect else "all")
        if not state.is_admin(who, account):
            cards.append(f"""
<form class="box" method="post">
  <div class="head">{e(account.login)} <span class="muted">{e(account.type)}</span></div>
  <div class="body">{hidden(account=account.login, state=request.args.get("state"),
                           request="1", repository_selection=selection)}
    <p>You are not an owner of {e(account.login)}: GitHub asks its owners to approve.</p>
    <p style="margin-left:24px">{checkboxes}</p>
    <button class="primary request">Request</button>
  </div>
</form>""")
            continue
        note = (f'<span class="label neutral">installed (#{existing.id})</span>'
                if existing else "")
        cards.append(f"""
<form class="box" method="post">
  <div class="head">{e(account.login)} <span class="muted">{e(account.type)}</span>{note}</div>
  <div class="body">{hidden(account=account.login, state=request.args.get("state"))}
    <p><label><input type="radio" name="repository_selection" value="all"
       {"checked" if selection == "all" else ""}> All repositories</label><br>
    <label><input type="radio" name="repository_selection" value="selected"
       {"checked" if selection == "selected" else ""}> Only select repositories</label></p>
    <p style="margin-left:24px">{checkboxes}</p>
    <p class="muted">Permissions: {e(", ".join(f"{k}: {v}" for k, v in
                                            sorted(state.app.permissions.items())))}</p>
    <button class="primary">{"Save" if existing else "Install"}</button>
  </div>
</form>""")
    body = (f"<h1>Install {e(state.app.name)}</h1>"
            f"<p>Where do you want to install <b>{e(state.app.name)}</b>?</p>" + "".join(cards))
    return layout(f"Install {state.app.name}", body, who=who)


def _requestable_accounts(state: GitHubState, login: str) -> list[Account]:
    with state.lock:
        return sorted((a for a in state.accounts.values() if a.is_org and login in a.members
                       and not state.is_admin(login, a) and _existing(state, a) is None),
                      key=lambda a: a.login.lower())


def _install(state: GitHubState, request: Request) -> Response:
    form = request.form
    account = state.account(form["account"])
    if form.get("request"):
        return _request_install(state, request, account)
    names = form.getlist("repository") if form.get("repository_selection") == "selected" else None
    existing = _existing(state, account)
    if existing is None:
        inst = state.create_installation(account.login, repositories=names,
                                         permissions=dict(state.app.permissions),
                                         sender=state.signed_in_login)
        action = "install"
    else:
        inst = existing
        _update_selection(state, inst, names)
        action = "update"
    query = {"installation_id": inst.id, "setup_action": action}
    if form.get("state"):
        query["state"] = form["state"]
    target = state.app.setup_url or (
        f"/organizations/{account.login}/settings/installations/{inst.id}" if account.is_org
        else f"/settings/installations/{inst.id}")
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode(query)}", code=302)


def _update_selection(state: GitHubState, inst: Installation, names: list[str] | None) -> None:
    """Changes of selection send `installation_repositories` added/removed, like GitHub."""
    before = {r.name for r in state.installation_repositories(inst)}
    owned = {r.name for r in state.repositories.values() if r.owner is inst.account}
    after = owned if names is None else set(names) & owned
    for name in sorted(after - before):
        state.add_repository_to_installation(inst.id, inst.account.login, name)
    for name in sorted(before - after):
        state.remove_repository_from_installation(inst.id, inst.account.login, name)
    with state.lock:
        inst.repository_selection = "all" if names is None else "selected"
        inst.repository_ids = {r.id for r in state.repositories.values()
                               if r.owner is inst.account and r.name in after}


def _request_install(state: GitHubState, request: Request, account: Account) -> Response:
    """A member asks the organization's owners; nothing is installed yet."""
    who = state.signed_in_login
    if who not in account.members:
        return layout("Forbidden", "<h1>403</h1><p>You are not a member.</p>", status=403)
    with state.lock:
        state.installation_requests.append({
            "account": account.login, "requester": who,
            "repositories": request.form.getlist("repository")})
    query = {"setup_action": "request"}
    if request.form.get("state"):
        query["state"] = request.form["state"]
    target = state.app.setup_url or f"/orgs/{account.login}"
    separator = "&" if "?" in target else "?"
    return redirect(f"{target}{separator}{urlencode(query)}", code=302)
