"""Sign-in pipeline step: memberships re-checked against GitHub at every sign-in."""

from __future__ import annotations

import logging
from typing import Any

from accounts.models import User
from fortify_github.github.errors import GitHubError
from onboarding.memberships import memberships_recheck

logger = logging.getLogger(__name__)


def recheck_installations(user: User, *args: Any, **kwargs: Any) -> None:
    """GitHub being unreachable must not stop a sign-in: memberships then stay as they were
    and are re-checked when next needed."""
    try:
        memberships_recheck(user)
    except GitHubError as error:
        logger.warning("installations of user %s not re-checked at sign-in: %s", user.pk,
                       type(error).__name__)
