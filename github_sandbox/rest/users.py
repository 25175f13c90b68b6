"""The signed-in user (user tokens), the user's installations, and `GET /rate_limit`."""

from __future__ import annotations

from ..models import Account, Installation
from ..ratelimit import LIMITS, WINDOW_SECONDS
from ..representations import (
    installation_json,
    private_user_json,
    public_user_json,
    repository_json,
    user_json,
)
from .framework import ApiError, Context, Reply, not_found, route


def _user(ctx: Context) -> Account:
    if ctx.caller.kind == "anonymous":
        raise ApiError(401, "Requires authentication")
    if ctx.caller.kind != "user" or ctx.caller.user is None:
        raise ApiError(403, "Resource not accessible by integration")
    return ctx.caller.user


def _installations_of(ctx: Context, user: Account) -> list[Installation]:
    """Installations on the user's account or on organizations the user administers or is a
    member of (members can read the organization's repositories)."""
    with ctx.state.lock:
        return sorted((i for i in ctx.state.installations.values()
                       if ctx.state.is_admin(user.login, i.account)
                       or user.login in i.account.members), key=lambda i: i.id)


@route("GET", "/user", auth="user")
def get_user(ctx: Context) -> Reply:
    """https://docs.github.com/rest/users/users#get-the-authenticated-user"""
    user = _user(ctx)
    owned = sum(1 for r in ctx.state.repositories.values() if r.owner is user)
    return Reply(body=private_user_json(user, ctx.base, owned))


@route("GET", "/users/<username>", auth="any")
def get_user_by_username(ctx: Context, username: str) -> Reply:
    """https://docs.github.com/rest/users/users#get-a-user"""
    account = ctx.state.accounts.get(username.lower())
    if account is None:
        raise not_found()
    return Reply(body=public_user_json(account, ctx.base))


@route("GET", "/user/memberships/orgs/<org>", auth="user")
def get_org_membership(ctx: Context, org: str) -> Reply:
    """https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user"""
    user = _user(ctx)
    account = ctx.state.accounts.get(org.lower())
    if account is None or not account.is_org or (
            user.login not in account.admins and user.login not in account.members):
        raise not_found()
    role = "admin" if user.login in account.admins else "member"
    api = f"{ctx.base}/orgs/{account.login}"
    organization = {
        "login": account.login, "id": account.id,
        "node_id": user_json(account, ctx.base)["node_id"], "url": api,
        "repos_url": f"{api}/repos", "events_url": f"{api}/events", "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues", "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{ctx.base}/avatars/u/{account.id}?v=4", "description": None,
    }
    return Reply(body={"url": f"{ctx.base}/user/memberships/orgs/{account.login}",
                       "state": "active", "role": role, "organization_url": api,
                       "organization": organization, "user": user_json(user, ctx.base)})


@route("GET", "/user/emails", auth="user")
def list_emails(ctx: Context) -> Reply:
    """https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user"""
    user = _user(ctx)
    emails = [{"email": user.email, "primary": True, "verified": True, "visibility": "private"},
              {"email": f"{user.id}+{user.login}@users.noreply.github.com", "primary": False,
               "verified": True, "visibility": None}]
    page, headers = ctx.page(emails)
    return Reply(body=page, headers=headers)


@route("GET", "/user/installations", auth="user")
def list_user_installations(ctx: Context) -> Reply:
    """https://docs.github.com/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token"""
    user = _user(ctx)
    installations = _installations_of(ctx, user)
    page, headers = ctx.page(installations)
    return Reply(body={"total_count": len(installations),
                       "installations": [installation_json(i, ctx.state.app, ctx.base)
                                         for i in page]}, headers=headers)


@route("GET", "/user/installations/<installation_id>/repositories", auth="user")
def list_user_installation_repositories(ctx: Context, installation_id: str) -> Reply:
    """https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-user-access-token"""
    user = _user(ctx)
    wanted = ctx.integer(installation_id)
    inst = next((i for i in _installations_of(ctx, user) if i.id == wanted), None)
    if inst is None:
        raise not_found()
    repos = ctx.state.installation_repositories(inst)
    perms = {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True}
    page, headers = ctx.page(repos)
    return Reply(body={"total_count": len(repos), "repository_selection": inst.repository_selection,
                       "repositories": [repository_json(r, ctx.base, permissions=perms)
                                        for r in page]}, headers=headers)


@route("GET", "/rate_limit", auth="any", counts=False)
def get_rate_limit(ctx: Context) -> Reply:
    """https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user

    Does not count against the limit, as GitHub documents."""
    owner, kind = ctx.caller.rate_owner
    core = ctx.state.ratelimits.peek(owner, kind)
    rate = {"limit": core.limit, "used": core.used, "remaining": core.remaining,
            "reset": core.reset}
    reset = int(ctx.state.clock.now()) + WINDOW_SECONDS

    def fresh(limit: int) -> dict[str, int]:
        return {"limit": limit, "used": 0, "remaining": limit, "reset": reset}

    return Reply(body={"resources": {
        "core": rate, "search": fresh(30), "graphql": fresh(LIMITS[kind]),
        "integration_manifest": fresh(5000), "code_search": fresh(10),
    }, "rate": rate})
