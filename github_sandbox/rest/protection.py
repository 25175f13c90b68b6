"""Branch protection and its required status checks, in GitHub's request and response shapes.

Stored in the request shape of `PUT .../protection`; GET expands it with `url`s, `checks`
and `contexts`. Changes need `administration: write` (installations) or an admin user.
"""

from __future__ import annotations

from typing import Any

from ..models import Account, BranchProtection, Repository
from ..representations import user_json
from .framework import ApiError, Context, Reply, route

READ = ("administration", "read")
WRITE = ("administration", "write")
TOGGLES = ("required_linear_history", "allow_force_pushes", "allow_deletions", "block_creations",
           "required_conversation_resolution", "lock_branch", "allow_fork_syncing")


def _url(ctx_base: str, repo: Repository, branch: str) -> str:
    return f"{ctx_base}/repos/{repo.full_name}/branches/{branch}/protection"


def _pinned(state, repo: Repository, checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GitHub's rule for a required check's ``app_id``: -1 allows any source (shown as null);
    an omitted one pins the App that most recently reported that check on the repository."""
    result = []
    for check in checks:
        app_id = check.get("app_id")
        if app_id == -1:
            app_id = None
        elif "app_id" not in check:
            reports = [run for run in state.check_runs.values()
                       if run.repo is repo and run.name == check["context"]]
            app_id = max(reports, key=lambda run: run.id).app_id if reports else None
        result.append({"context": check["context"], "app_id": app_id})
    return result


def _checks_of(rsc: dict[str, Any]) -> list[dict[str, Any]]:
    if rsc.get("checks") is not None:
        return [{"context": c["context"], "app_id": c.get("app_id")} for c in rsc["checks"]]
    return [{"context": c, "app_id": None} for c in rsc.get("contexts") or []]


def status_check_policy(base: str, repo: Repository, branch: str,
                        rsc: dict[str, Any]) -> dict[str, Any]:
    """`status-check-policy`."""
    url = f"{_url(base, repo, branch)}/required_status_checks"
    checks = _checks_of(rsc)
    return {"url": url, "strict": bool(rsc.get("strict")),
            "contexts": [c["context"] for c in checks], "contexts_url": f"{url}/contexts",
            "checks": checks}


def _actors(section: dict[str, Any], accounts: dict[str, Account], base: str,
            url: str | None = None) -> dict[str, Any]:
    """Users (by login) expanded to GitHub's simple-user objects; teams and apps by slug
    are kept as slugs only when known, as the sandbox has neither teams nor other apps."""
    data: dict[str, Any] = {}
    if url:
        data.update({"url": url, "users_url": f"{url}/users", "teams_url": f"{url}/teams"})
    data["users"] = [user_json(accounts[login], base)
                     for login in section.get("users") or [] if login in accounts]
    data["teams"] = []
    data["apps"] = []
    return data


def protection_json(base: str, repo: Repository, branch: str,
                    p: BranchProtection,
                    accounts: dict[str, Account] | None = None) -> dict[str, Any]:
    """`branch-protection` / `protected-branch`: the expanded GET and PUT answer."""
    accounts = accounts or {}
    url = _url(base, repo, branch)
    data: dict[str, Any] = {"url": url}
    if p.required_status_checks is not None:
        data["required_status_checks"] = status_check_policy(base, repo, branch,
                                                             p.required_status_checks)
    if p.required_pull_request_reviews is not None:
        reviews = p.required_pull_request_reviews
        data["required_pull_request_reviews"] = {
            "url": f"{url}/required_pull_request_reviews",
            "dismiss_stale_reviews": bool(reviews.get("dismiss_stale_reviews")),
            "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
            "require_last_push_approval": bool(reviews.get("require_last_push_approval")),
            "required_approving_review_count": int(
                reviews.get("required_approving_review_count", 1)),
        }
        for section in ("dismissal_restrictions", "bypass_pull_request_allowances"):
            if reviews.get(section):
                section_url = (f"{url}/dismissal_restrictions"
                               if section == "dismissal_restrictions" else None)
                data["required_pull_request_reviews"][section] = _actors(
                    reviews[section], accounts, base, section_url)
    data["required_signatures"] = {"url": f"{url}/required_signatures", "enabled": False}
    data["enforce_admins"] = {"url": f"{url}/enforce_admins", "enabled": p.enforce_admins}
    for toggle in TOGGLES:
        data[toggle] = {"enabled": bool(p.extras.get(toggle, False))}
    if p.restrictions is not None:
        data["restrictions"] = {
            **_actors(p.restrictions, accounts, base, f"{url}/restrictions"),
            "apps_url": f"{url}/restrictions/apps",
        }
    return data


def protection_summary(repo: Repository, branch: str) -> dict[str, Any]:
    """The `protection` object embedded in `GET .../branches/{branch}`."""
    p = repo.protection.get(branch)
    if p is None:
        return {"enabled": False, "required_status_checks": {
            "enforcement_level": "off", "contexts": [], "checks": []}}
    rsc = p.required_status_checks
    checks = _checks_of(rsc) if rsc is not None else []
    return {"enabled": True, "required_status_checks": {
        "enforcement_level": "off" if rsc is None else (
            "everyone" if p.enforce_admins else "non_admins"),
        "contexts": [c["context"] for c in checks], "checks": checks}}


def _branch(ctx: Context, owner: str, repo: str, branch: str, *, write: bool) -> Repository:
    target = ctx.repo(owner, repo, permission=WRITE if write else READ, admin=write)
    if ctx.caller.kind == "user" and ctx.caller.user is not None and not ctx.state.is_admin(
            ctx.caller.user.login, target.owner):
        raise ApiError(404, "Not Found")
    if branch not in target.branches:
        raise ApiError(404, "Branch not found")
    return target


def _protection(target: Repository, branch: str) -> BranchProtection:
    p = target.protection.get(branch)
    if p is None:
        raise ApiError(404, "Branch not protected")
    return p


@route("GET", "/repos/<owner>/<repo>/branches/<path:branch>/protection", permission=READ)
def get_protection(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#get-branch-protection"""
    target = _branch(ctx, owner, repo, branch, write=False)
    return Reply(body=protection_json(ctx.base, target, branch, _protection(target, branch),
                                      ctx.state.accounts))


@route("PUT", "/repos/<owner>/<repo>/branches/<path:branch>/protection", permission=WRITE)
def update_protection(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#update-branch-protection"""
    target = _branch(ctx, owner, repo, branch, write=True)
    body = ctx.json()
    for key in ("required_status_checks", "enforce_admins", "required_pull_request_reviews",
                "restrictions"):
        if key not in body:
            raise ApiError(422, f"Invalid request.\n\n\"{key}\" wasn't supplied.",
                           documentation_url="https://docs.github.com/rest/branches/branch-protection#update-branch-protection")
    rsc = body["required_status_checks"]
    if rsc is not None and ("strict" not in rsc or ("contexts" not in rsc and "checks" not in rsc)):
        missing = "strict" if "strict" not in rsc else "contexts"
        raise ApiError(422, f"Invalid request.\n\n\"{missing}\" wasn't supplied.")
    if body["restrictions"] is not None and not target.owner.is_org:
        raise ApiError(422, "Validation Failed", errors=[
            {"resource": "Restrictions", "field": "restrictions", "code": "invalid",
             "message": "Only organization repositories can have users and team restrictions"}])
    if rsc is not None and rsc.get("checks") is not None:
        with ctx.state.lock:
            body["required_status_checks"] = {**rsc,
                                              "checks": _pinned(ctx.state, target, rsc["checks"])}
    ctx.state.set_branch_protection(target.owner.login, target.name, branch, body)
    return Reply(body=protection_json(ctx.base, target, branch, target.protection[branch],
                                      ctx.state.accounts))


@route("DELETE", "/repos/<owner>/<repo>/branches/<path:branch>/protection", permission=WRITE)
def delete_protection(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#delete-branch-protection"""
    target = _branch(ctx, owner, repo, branch, write=True)
    _protection(target, branch)
    with ctx.state.lock:
        del target.protection[branch]
    return Reply(204)


def _required_checks(target: Repository, branch: str) -> dict[str, Any]:
    rsc = _protection(target, branch).required_status_checks
    if rsc is None:
        raise ApiError(404, "Required status checks not enabled")
    return rsc


@route("GET", "/repos/<owner>/<repo>/branches/<path:branch>/protection/required_status_checks",
       permission=READ)
def get_status_checks(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#get-status-checks-protection"""
    target = _branch(ctx, owner, repo, branch, write=False)
    return Reply(body=status_check_policy(ctx.base, target, branch,
                                          _required_checks(target, branch)))


@route("PATCH", "/repos/<owner>/<repo>/branches/<path:branch>/protection/required_status_checks",
       permission=WRITE)
def update_status_checks(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#update-status-check-protection"""
    target = _branch(ctx, owner, repo, branch, write=True)
    rsc = _required_checks(target, branch)
    body = ctx.json()
    with ctx.state.lock:
        if "strict" in body:
            rsc["strict"] = bool(body["strict"])
        if "checks" in body:
            rsc["checks"] = _pinned(ctx.state, target, body["checks"])
            rsc.pop("contexts", None)
        elif "contexts" in body:
            rsc["checks"] = [{"context": c, "app_id": None} for c in body["contexts"]]
    return Reply(body=status_check_policy(ctx.base, target, branch, rsc))


def _context_list(ctx: Context) -> list[str]:
    """The body of the contexts endpoints: `{"contexts": [...]}` or a bare array."""
    import json

    raw = ctx.request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise ApiError(400, "Problems parsing JSON") from None
    contexts = body.get("contexts") if isinstance(body, dict) else body
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        raise ApiError(422, "Invalid request.\n\n\"contexts\" wasn't supplied.")
    return contexts


CONTEXTS_RULE = ("/repos/<owner>/<repo>/branches/<path:branch>/protection"
                 "/required_status_checks/contexts")


@route("GET", CONTEXTS_RULE, permission=READ)
def get_contexts(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#get-all-status-check-contexts"""
    target = _branch(ctx, owner, repo, branch, write=False)
    return Reply(body=[c["context"] for c in _checks_of(_required_checks(target, branch))])


def _change_contexts(ctx: Context, owner: str, repo: str, branch: str, how: str) -> Reply:
    target = _branch(ctx, owner, repo, branch, write=True)
    rsc = _required_checks(target, branch)
    contexts = _context_list(ctx)
    with ctx.state.lock:
        checks = _checks_of(rsc)
        if how == "replace":
            checks = [{"context": c, "app_id": None} for c in contexts]
        elif how == "add":
            known = {c["context"] for c in checks}
            checks += [{"context": c, "app_id": None} for c in contexts if c not in known]
        else:
            checks = [c for c in checks if c["context"] not in contexts]
        rsc["checks"] = checks
        rsc.pop("contexts", None)
    return Reply(body=[c["context"] for c in checks])


@route("POST", CONTEXTS_RULE, permission=WRITE)
def add_contexts(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#add-status-check-contexts"""
    return _change_contexts(ctx, owner, repo, branch, "add")


@route("PUT", CONTEXTS_RULE, permission=WRITE)
def set_contexts(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#set-status-check-contexts"""
    return _change_contexts(ctx, owner, repo, branch, "replace")


@route("DELETE", CONTEXTS_RULE, permission=WRITE)
def remove_contexts(ctx: Context, owner: str, repo: str, branch: str) -> Reply:
    """https://docs.github.com/rest/branches/branch-protection#remove-status-check-contexts"""
    return _change_contexts(ctx, owner, repo, branch, "remove")
