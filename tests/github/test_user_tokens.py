"""User tokens: refreshed before use with the new pair stored, revoked grants forgotten
(issue 4, part 8), against the sandbox's OAuth endpoint."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import GitHubAuthorization, User
from accounts.services import (
    authorization_revoked,
    github_authorization_store,
    user_access_token,
)
from fortify_github.github import user_client
from fortify_github.github.oauth import (
    BadRefreshToken,
    OAuthError,
    UserToken,
    exchange_code,
    refresh_user_token,
)
from github_sandbox import SandboxServer

OAUTH_PATH = "/login/oauth/access_token"


def _linked_user(server: SandboxServer, *, expires_in: timedelta | None,
                 login: str = "octocat") -> User:
    access, refresh = server.state.issue_user_token(login)
    account = server.state.account(login)
    user = User.objects.create(username=login, github_login=login, github_id=account.id)
    github_authorization_store(user=user, github_user_id=account.id, token=UserToken(
        access_token=access.token, token_type="bearer", scope="",
        expires_at=None if expires_in is None else timezone.now() + expires_in,
        refresh_token=refresh.token if refresh else "",
        refresh_token_expires_at=timezone.now() + timedelta(days=180)))
    return user


def _refreshes(server: SandboxServer) -> list[dict]:
    return [r for r in server.state.requests_to("POST", OAUTH_PATH)
            if (r.get("json") or {}).get("grant_type") == "refresh_token"]


@pytest.mark.django_db
def test_a_token_close_to_expiry_is_refreshed_before_use(gh: SandboxServer) -> None:
    user = _linked_user(gh, expires_in=timedelta(minutes=2))
    old = GitHubAuthorization.objects.get(user=user)
    token = user_access_token(user)
    assert token and token != old.access_token
    stored = GitHubAuthorization.objects.get(user=user)
    assert stored.access_token == token and stored.refresh_token != old.refresh_token
    assert stored.expires_at > timezone.now() + timedelta(hours=7)
    assert len(_refreshes(gh)) == 1
    assert user_client(token).get_authenticated_user()["login"] == "octocat"
    assert user_access_token(user) == token  # fresh now: no second refresh
    assert len(_refreshes(gh)) == 1


@pytest.mark.django_db
def test_a_fresh_or_non_expiring_token_is_used_as_is(gh: SandboxServer) -> None:
    fresh = _linked_user(gh, expires_in=timedelta(hours=7))
    forever = _linked_user(gh, expires_in=None, login="mona-contrib")
    assert user_access_token(fresh) == GitHubAuthorization.objects.get(user=fresh).access_token
    assert user_access_token(forever) == GitHubAuthorization.objects.get(
        user=forever).access_token
    assert _refreshes(gh) == []


@pytest.mark.django_db
def test_a_revoked_refresh_token_deletes_the_tokens_and_asks_for_sign_in(
        gh: SandboxServer) -> None:
    user = _linked_user(gh, expires_in=timedelta(minutes=1))
    stored = GitHubAuthorization.objects.get(user=user)
    with gh.state.lock:
        gh.state.refresh_tokens[stored.refresh_token].used = True  # revoked on GitHub's side
    assert user_access_token(user) is None
    stored.refresh_from_db()
    assert stored.needs_reauth and stored.needs_reauth_since is not None
    assert stored.access_token == "" and stored.refresh_token == ""
    assert user_access_token(user) is None
    assert len(_refreshes(gh)) == 1  # no second attempt with a dead grant


@pytest.mark.django_db
def test_the_revoked_webhook_forgets_the_grant(gh: SandboxServer) -> None:
    user = _linked_user(gh, expires_in=timedelta(hours=8))
    assert authorization_revoked(user.github_id) == 1
    stored = GitHubAuthorization.objects.get(user=user)
    assert stored.needs_reauth and not stored.access_token and not stored.refresh_token
    assert user_access_token(user) is None
    # Signing in again clears the flag.
    access, refresh = gh.state.issue_user_token("octocat")
    github_authorization_store(user=user, github_user_id=user.github_id, token=UserToken(
        access_token=access.token, token_type="bearer", scope="",
        expires_at=timezone.now() + timedelta(hours=8), refresh_token=refresh.token))
    assert user_access_token(user) == access.token


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_spend_the_single_use_refresh_token_once(
        gh: SandboxServer) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL")
    user = _linked_user(gh, expires_in=timedelta(minutes=1))

    def fetch(_: int) -> str | None:
        try:
            return user_access_token(User.objects.get(pk=user.pk))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = set(pool.map(fetch, range(4)))
    assert len(tokens) == 1 and None not in tokens
    assert len(_refreshes(gh)) == 1
    assert not GitHubAuthorization.objects.get(user=user).needs_reauth


def test_code_exchange_and_its_errors(gh: SandboxServer) -> None:
    code = gh.state.create_oauth_code("octocat", None, None)
    token = exchange_code(code)
    assert token.access_token.startswith("ghu_") and token.refresh_token.startswith("ghr_")
    assert token.expires_at is not None and "ghu_" not in repr(token)
    with pytest.raises(OAuthError) as caught:
        exchange_code(code)  # a code works once
    assert caught.value.error == "bad_verification_code"
    with pytest.raises(BadRefreshToken):
        refresh_user_token("ghr_not-a-real-refresh-token")


@pytest.mark.django_db
def test_wrong_client_credentials_keep_the_users_grant(gh: SandboxServer, settings) -> None:
    """Our misconfiguration is not the user's revocation: tokens stay, no sign-in is forced."""
    user = _linked_user(gh, expires_in=timedelta(minutes=1))
    before = GitHubAuthorization.objects.get(user=user)
    settings.GITHUB_CLIENT_SECRET = "not-the-apps-secret"

    assert user_access_token(user) is None

    after = GitHubAuthorization.objects.get(user=user)
    assert not after.needs_reauth
    assert after.refresh_token == before.refresh_token
    assert after.access_token == before.access_token
