"""Who may see what: every page and API endpoint reads through these selectors.

A person sees an installation only through an ``InstallationMembership``; everything else
(repositories, scans, findings) is reached through the installations they are members of.
Objects outside that set are answered as if they did not exist (404), never 403, so their
existence is not revealed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from installations.models import Installation, InstallationMembership, Repository

logger = logging.getLogger(__name__)

MANAGER_ROLES = {"owner", InstallationMembership.Role.ADMIN}


def installations_for(user) -> QuerySet[Installation]:
    """Installations the user is a member of (deleted ones included: their history stays)."""
    if not user.is_authenticated:
        return Installation.objects.none()
    return Installation.objects.filter(memberships__user=user).distinct()


def repositories_for(user) -> QuerySet[Repository]:
    return Repository.objects.filter(installation__in=installations_for(user))


def scans_for(user):
    from checks.models import ScanJob

    return ScanJob.objects.filter(repository__installation__in=installations_for(user))


def findings_for(user):
    from checks.models import Finding

    return Finding.objects.filter(scan__repository__installation__in=installations_for(user))


def can_manage(user, installation: Installation) -> bool:
    """Owners and admins change settings; members look."""
    return InstallationMembership.objects.filter(
        user=user, installation=installation, role__in=MANAGER_ROLES).exists()


def _recheck_key(user) -> str:
    return f"membership-recheck:{user.pk}"


def memberships_recheck_if_due(user) -> int:
    """Re-check the user's memberships against GitHub at most every
    ``FORTIFY_MEMBERSHIP_RECHECK_SECONDS``; returns how many memberships ended."""
    if not user.is_authenticated or cache.get(_recheck_key(user)):
        return 0
    removed = memberships_recheck(user)
    cache.set(_recheck_key(user), 1, timeout=settings.FORTIFY_MEMBERSHIP_RECHECK_SECONDS)
    return removed


def memberships_recheck(user) -> int:
    """End memberships of installations GitHub no longer lists for the user.

    ``GET /user/installations`` with the user's own token lists exactly the installations the
    user can reach on GitHub. Without a usable token (never signed in through GitHub, or the
    grant was revoked) nothing is concluded; GitHub being unreachable neither.
    Called from a request, outside any transaction.
    """
    from accounts.services import user_access_token
    from fortify_github.github import user_client
    from fortify_github.github.errors import GitHubError

    token = user_access_token(user)
    if token is None:
        return 0
    try:
        visible = {item["id"] for item in user_client(token).list_user_installations()}
    except GitHubError as error:
        logger.warning("re-checking installations of user %s failed (%s); kept as they are",
                       user.pk, type(error).__name__)
        return 0
    stale = InstallationMembership.objects.filter(user=user).exclude(
        installation__installation_id__in=visible)
    removed = stale.count()
    if removed:
        logger.info("user %s lost access to %s installation(s) on GitHub", user.pk, removed)
        stale.delete()
    return removed
