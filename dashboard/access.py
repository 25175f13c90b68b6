"""The door to every dashboard page: signed in, memberships re-checked when due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


def memberships_recheck_if_due(user) -> None:
    """Re-check the user's installations with GitHub (``GET /user/installations`` with their
    token) at most every ``FORTIFY_MEMBERSHIP_RECHECK_SECONDS``: someone removed on GitHub
    loses access at their next request after that, without signing out.

    GitHub unreachable: access stays as it was, and the next request tries again.
    """
    from fortify_github.github.errors import GitHubError
    from onboarding.memberships import memberships_recheck

    key = f"membership-recheck:{user.pk}"
    if not user.is_authenticated or cache.get(key):
        return
    try:
        memberships_recheck(user)
    except GitHubError as error:
        logger.warning("installations of user %s not re-checked: %s", user.pk,
                       type(error).__name__)
        return
    cache.set(key, 1, timeout=settings.FORTIFY_MEMBERSHIP_RECHECK_SECONDS)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people go to sign-in; signed-in people have their GitHub access re-checked
    when due before the view reads through ``installations.access``, which answers 404 for
    anything outside their installations."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        memberships_recheck_if_due(request.user)
        return view(request, *args, **kwargs)

    return wrapper
