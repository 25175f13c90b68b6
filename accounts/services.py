"""Users' GitHub tokens: store, refresh before use, and forget when the grant is revoked."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import GitHubAuthorization, User
from fortify_github.github.oauth import (
    BadRefreshToken,
    OAuthError,
    UserToken,
    refresh_user_token,
)

logger = logging.getLogger(__name__)

# Refresh this long before the access token expires, so a call never starts with a token
# that dies mid-flight.
REFRESH_MARGIN = timedelta(minutes=5)


def github_authorization_store(*, user: User, github_user_id: int,
                               token: UserToken) -> GitHubAuthorization:
    """Keep the pair from a sign-in (or refresh); clears any pending re-sign-in."""
    authorization, _ = GitHubAuthorization.objects.update_or_create(
        user=user,
        defaults={
            "github_user_id": github_user_id,
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "token_type": token.token_type,
            "scopes": token.scope,
            "expires_at": token.expires_at,
            "refresh_token_expires_at": token.refresh_token_expires_at,
            "needs_reauth": False,
            "needs_reauth_since": None,
        },
    )
    return authorization


def _revoke(authorization: GitHubAuthorization, reason: str) -> None:
    authorization.access_token = ""
    authorization.refresh_token = ""
    authorization.expires_at = None
    authorization.refresh_token_expires_at = None
    if not authorization.needs_reauth:
        authorization.needs_reauth = True
        authorization.needs_reauth_since = timezone.now()
    authorization.save()
    logger.info("GitHub authorization of user %s revoked (%s): sign-in needed",
                authorization.user_id, reason)


def _needs_refresh(authorization: GitHubAuthorization) -> bool:
    return authorization.expires_at is not None and (
        authorization.expires_at - REFRESH_MARGIN <= timezone.now())


def user_access_token(user: User) -> str | None:
    """A usable access token for the user, refreshed first when it is about to expire.

    None when the user has no tokens or must sign in again. The refresh runs under a row
    lock: refresh tokens are single-use, so two workers refreshing at once would make the
    loser's refresh fail and wrongly sign the user out.
    """
    authorization = GitHubAuthorization.objects.filter(user=user).first()
    if authorization is None or authorization.needs_reauth or not authorization.access_token:
        return None
    if not _needs_refresh(authorization):
        return authorization.access_token
    with transaction.atomic():
        authorization = GitHubAuthorization.objects.select_for_update().get(pk=authorization.pk)
        if authorization.needs_reauth or not authorization.access_token:
            return None
        if not _needs_refresh(authorization):
            return authorization.access_token  # another worker refreshed it meanwhile
        if not authorization.refresh_token or (
                authorization.refresh_token_expires_at is not None
                and authorization.refresh_token_expires_at <= timezone.now()):
            _revoke(authorization, "expired without a usable refresh token")
            return None
        try:
            token = refresh_user_token(authorization.refresh_token)
        except OAuthError as error:
            if isinstance(error, BadRefreshToken) or error.status == 401:
                # Revoked, used or expired refresh token: the grant itself is gone.
                _revoke(authorization, error.error)
            else:
                # Our side is wrong (client credentials) or GitHub is busy (429): the user's
                # grant is fine, so keep it and let the operation go without a user token.
                logger.error("refreshing the GitHub token of user %s failed (%s); tokens kept",
                             authorization.user_id, error.error)
            return None
        authorization.access_token = token.access_token
        authorization.refresh_token = token.refresh_token or authorization.refresh_token
        authorization.token_type = token.token_type
        authorization.scopes = token.scope
        authorization.expires_at = token.expires_at
        authorization.refresh_token_expires_at = (token.refresh_token_expires_at
                                                  or authorization.refresh_token_expires_at)
        authorization.save()
        return authorization.access_token


def authorization_revoked(github_user_id: int) -> int:
    """``github_app_authorization.revoked``: forget the user's tokens; returns rows changed.

    https://docs.github.com/webhooks/webhook-events-and-payloads#github_app_authorization
    """
    changed = 0
    with transaction.atomic():
        for authorization in GitHubAuthorization.objects.select_for_update().filter(
                github_user_id=github_user_id):
            _revoke(authorization, "github_app_authorization revoked")
            changed += 1
    return changed
