"""Who may see what: every page and API endpoint reads through these selectors.

A person sees an installation only through an ``InstallationMembership``; everything else
(repositories here; scans and findings in ``checks.selectors``) is reached through the
installations they are members of.
Objects outside that set are answered as if they did not exist (404), never 403, so their
existence is not revealed.
"""

from __future__ import annotations

from django.db.models import QuerySet

from installations.models import Installation, InstallationMembership, Repository

MANAGER_ROLES = {InstallationMembership.Role.OWNER, InstallationMembership.Role.ADMIN}


def installations_for(user) -> QuerySet[Installation]:
    """Installations the user is a member of (deleted ones included: their history stays)."""
    if not user.is_authenticated:
        return Installation.objects.none()
    return Installation.objects.filter(memberships__user=user).distinct()


def repositories_for(user) -> QuerySet[Repository]:
    return Repository.objects.filter(installation__in=installations_for(user))


def can_manage(user, installation: Installation) -> bool:
    """Owners and admins change settings; members look."""
    return InstallationMembership.objects.filter(
        user=user, installation=installation, role__in=MANAGER_ROLES).exists()
