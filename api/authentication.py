"""Personal API tokens: ``Authorization: Bearer ftk_…``."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.tokens import api_token_authenticate
from dashboard.access import memberships_recheck_if_due


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A token created on the account page; revoked or unknown tokens are refused (401)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send exactly one token: 'Authorization: Bearer <token>'.")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid text.") from None
        user = api_token_authenticate(raw)
        if user is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        memberships_recheck_if_due(user)
        return (user, None)

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal API token from your account page."}
