"""Who a GitHub person is in Fortify: find the account, or create one (active or pending).

Linking order (the seed's): GitHub user id, then login, then a verified email. Login and email
only ever match accounts not yet tied to a GitHub id, so a renamed or recycled login can never
take over someone else's account.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from accounts.models import User


def user_find_for_github(*, github_id: int, login: str = "",
                         verified_emails: Iterable[str] = ()) -> User | None:
    user = User.objects.filter(github_id=github_id).first()
    if user is not None:
        return user
    unlinked = User.objects.filter(github_id__isnull=True)
    if login:
        user = unlinked.filter(github_login__iexact=login).first() or unlinked.filter(
            username__iexact=login).first()
        if user is not None:
            return user
    emails = [email for email in verified_emails if email]
    if emails:
        return unlinked.filter(email__in=emails).order_by("pk").first()
    return None


def _free_username(login: str) -> str:
    base = login or "github-user"
    candidate, suffix = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def user_link_github(*, github_id: int, login: str, verified_emails: Iterable[str] = (),
                     active: bool = True) -> tuple[User, bool]:
    """The account for this GitHub person, created when none matches; ``(user, created)``.

    ``active=False`` creates a *pending* account (no password, inactive) for someone who
    installed the App before ever signing in; their first sign-in activates it.
    """
    user = user_find_for_github(github_id=github_id, login=login,
                                verified_emails=verified_emails)
    if user is not None:
        if user.github_id is None:
            user.github_id = github_id
            user.github_login = login
            user.save(update_fields=["github_id", "github_login"])
        return user, False
    try:
        with transaction.atomic():
            user = User(username=_free_username(login), github_id=github_id,
                        github_login=login, is_active=active)
            user.set_unusable_password()
            user.save()
            return user, True
    except IntegrityError:  # the same person arriving twice at once: the other one won
        return User.objects.get(github_id=github_id), False
