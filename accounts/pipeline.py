"""Steps of the social-auth sign-in pipeline (``SOCIAL_AUTH_PIPELINE`` in settings).

social-auth's own ``load_extra_data`` step is left out on purpose: it would keep the access
token in plain JSON. Tokens go to ``GitHubAuthorization``, encrypted.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.invitations import SESSION_KEY, invitation_accept
from accounts.linking import user_link_github
from accounts.models import Invitation, User
from accounts.services import github_authorization_store


def link_user(backend, uid: str, response: dict[str, Any], user: User | None = None,
              *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The signed-in person's account: by GitHub id, then login, then verified email."""
    if user is not None:
        return {"user": user}
    user, created = user_link_github(
        github_id=int(uid), login=response.get("login", ""),
        verified_emails=response.get("verified_emails", []))
    return {"user": user, "is_new": created}


def store_identity(backend, strategy, uid: str, user: User, response: dict[str, Any],
                   *args: Any, **kwargs: Any) -> None:
    """Profile, verified emails and the encrypted token pair; a pending account becomes
    active (GitHub just proved who this is) and its invitation is used up."""
    user.github_id = int(uid)
    user.github_login = response.get("login", "") or user.github_login
    user.avatar_url = response.get("avatar_url", "") or ""
    name = (response.get("name") or "").strip()
    if name:
        user.first_name, _, user.last_name = name.partition(" ")
        user.first_name, user.last_name = user.first_name[:150], user.last_name[:150]
    emails = response.get("verified_emails") or []
    if emails and user.email not in emails:
        user.email = emails[0]
    was_pending = not user.is_active
    user.is_active = True
    user.last_login = timezone.now()
    user.save()
    token = getattr(backend, "user_token", None)
    if token is not None:
        github_authorization_store(user=user, github_user_id=int(uid), token=token)
    invitation_pk = strategy.session_get(SESSION_KEY)
    if invitation_pk:
        invitation_accept(int(invitation_pk), user)
        strategy.session_set(SESSION_KEY, None)
    if was_pending:
        # Signing in directly (without the link) also proves identity: retire the links.
        Invitation.objects.filter(user=user, used_at__isnull=True).update(
            used_at=timezone.now())
