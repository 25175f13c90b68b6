"""Sign in with GitHub through social-auth, talking to GitHub through our own client.

The App signs people in with its GitHub App user-to-server authorization (same client id as
an OAuth app, no scopes): the user's token can do no more than the App's permissions on the
installations the user can see. ``GITHUB_WEB_URL``/``GITHUB_API_URL`` are read at call time,
so GitHub Enterprise Server and the sandbox work, and tests may change them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from social_core.backends.github import GithubOAuth2
from social_core.exceptions import AuthCredentialError, AuthProviderError

from fortify_github.github.errors import GitHubError
from fortify_github.github.oauth import OAuthError, UserToken, exchange_code


class GitHubAppAuth(GithubOAuth2):
    """``/auth/login/github/`` → GitHub's authorize page → ``/auth/complete/github/``."""

    name = "github"
    # A GitHub App's user authorization ignores scopes: permissions come from the App.
    DEFAULT_SCOPE: list[str] = []

    def authorization_url(self) -> str:
        return f"{settings.GITHUB_WEB_URL}/login/oauth/authorize"

    def access_token_url(self) -> str:
        return f"{settings.GITHUB_WEB_URL}/login/oauth/access_token"

    def api_url(self) -> str:
        return f"{settings.GITHUB_API_URL}/"

    def get_key_and_secret(self) -> tuple[str, str]:
        return settings.GITHUB_CLIENT_ID, settings.GITHUB_CLIENT_SECRET

    def get_scope(self) -> list[str]:
        return []

    def request_access_token(self, url: str, method: str = "GET", headers: Any = None,
                             data: dict | None = None, json: dict | None = None,
                             auth: Any = None, params: dict | None = None, *,
                             stage: str = "token_exchange") -> dict[str, Any]:
        """Exchange the code through the product's OAuth module (metrics, redaction)."""
        fields = data or json or params or {}
        try:
            token = exchange_code(str(fields.get("code", "")),
                                  redirect_uri=fields.get("redirect_uri"))
        except OAuthError as error:
            raise AuthCredentialError(self, error.error, stage="token_exchange") from error
        except GitHubError as error:
            raise AuthProviderError(self, "GitHub did not answer", stage="token_exchange",
                                    code="http_error") from error
        self.user_token: UserToken = token
        return {"access_token": token.access_token, "token_type": token.token_type}

    def user_data(self, access_token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The GitHub profile and the verified email addresses, via the product's client."""
        from fortify_github.github import user_client

        client = user_client(access_token)
        data = dict(client.get_authenticated_user())
        try:
            emails = list(client.list_user_emails())
        except GitHubError:
            emails = []  # the App may lack the email permission: sign-in works without
        data["verified_emails"] = [e["email"] for e in emails
                                   if isinstance(e, dict) and e.get("verified")]
        return data
