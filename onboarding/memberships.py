"""Who may see and manage an installation in Fortify, kept in step with GitHub.

GitHub is the judge: ``GET /user/installations`` with the user's own token lists the
installations they can access. Memberships are granted from it (and to the installer) and
withdrawn when GitHub stops listing the installation, revokes the user's authorization, or
removes them from the organization.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts.invitations import invitation_create
from accounts.linking import user_find_for_github, user_link_github
from accounts.models import User
from accounts.services import user_access_token
from installations.models import Installation, InstallationMembership

logger = logging.getLogger(__name__)
Role = InstallationMembership.Role
RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}


def membership_grant(*, user: User, installation: Installation, role: str,
                     primary_contact: bool = False) -> InstallationMembership:
    """Add (or raise, never lower) a user's role; the first primary contact sticks."""
    with transaction.atomic():
        membership, created = InstallationMembership.objects.select_for_update().get_or_create(
            user=user, installation=installation, defaults={"role": role})
        if not created and RANK[Role(role)] > RANK[Role(membership.role)]:
            membership.role = role
            membership.save(update_fields=["role"])
        if primary_contact and not InstallationMembership.objects.filter(
                installation=installation, is_primary_contact=True).exists():
            membership.is_primary_contact = True
            membership.save(update_fields=["is_primary_contact"])
    return membership


def role_for(user: User, installation: Installation, client=None) -> str:
    """The account itself owns its installation; an organization's admins (as GitHub says,
    when the App may read memberships) are admins; everyone else GitHub lists is a member."""
    if user.github_id == installation.account_id:
        return Role.OWNER
    if client is not None and installation.account_type == Installation.AccountType.ORGANIZATION:
        from fortify_github.github.errors import GitHubError

        try:
            membership = client.get_org_membership_for_authenticated_user(
                installation.account_login)
        except GitHubError:
            return Role.MEMBER  # no members:read, or not visible: the least role
        if membership.get("state") == "active" and membership.get("role") == "admin":
            return Role.ADMIN
    return Role.MEMBER


def _client_for(user: User):
    from fortify_github.github import user_client

    token = user_access_token(user)
    return user_client(token) if token else None


def visible_installations(user: User, client=None) -> list[dict[str, Any]] | None:
    """GitHub's list of installations this user can access; None without a usable token.

    Raises the client's errors (GitHub down): callers decide whether that blocks them.
    """
    client = client or _client_for(user)
    if client is None:
        return None
    return list(client.list_user_installations())


def memberships_recheck(user: User) -> set[int] | None:
    """Grant memberships of the installations GitHub lists for the user, drop the others.

    Returns the GitHub installation ids the user can access, or None when there is no token
    to ask with (memberships are then left as they are).
    """
    client = _client_for(user)
    if client is None:
        return None
    ids = {int(item["id"]) for item in visible_installations(user, client) or []}
    for installation in Installation.objects.filter(installation_id__in=ids):
        membership_grant(user=user, installation=installation,
                         role=role_for(user, installation, client))
    removed, _ = InstallationMembership.objects.filter(user=user).exclude(
        installation__installation_id__in=ids).delete()
    if removed:
        logger.info("user %s lost access to %s installation(s) on GitHub", user.pk, removed)
    return ids


def installer_link(installation: Installation, sender: dict[str, Any]) -> User | None:
    """``installation.created``: the installer gets a membership, or a pending account and
    an invitation when they never signed in to Fortify."""
    if not sender or sender.get("type", "User") != "User" or not sender.get("id"):
        return None
    github_id, login = int(sender["id"]), str(sender.get("login", ""))
    user = user_find_for_github(github_id=github_id, login=login)
    if user is None:
        user, _ = user_link_github(github_id=github_id, login=login, active=False)
    role = Role.OWNER if github_id == installation.account_id else Role.ADMIN
    membership_grant(user=user, installation=installation, role=role, primary_contact=True)
    if not user.is_active and not user.invitations.filter(used_at__isnull=True).exists():
        invitation_create(user=user, installation=installation,
                          email=str(sender.get("email") or ""))
    return user


def memberships_revoke_user(github_user_id: int) -> int:
    """The user revoked the App's authorization: without it access cannot be verified."""
    removed, _ = InstallationMembership.objects.filter(user__github_id=github_user_id).delete()
    return removed


def memberships_remove_org_member(*, organization_id: int, github_user_id: int) -> int:
    """``organization.member_removed``: no more access to that organization's installations
    (an owner's own installations are not the organization's, so they stay)."""
    removed, _ = InstallationMembership.objects.filter(
        user__github_id=github_user_id, installation__account_id=organization_id).delete()
    return removed
