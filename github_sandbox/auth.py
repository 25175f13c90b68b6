"""Who is calling: an App JWT, an installation token, a user token, or nobody.

The JWT checks and their error messages follow what api.github.com answers; every time check
uses the sandbox clock so tests can expire things with `state.clock.advance(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt

from .models import AccessToken, Account, Installation
from .state import GitHubState

MAX_JWT_LIFETIME = 600
BAD_JWT = "A JSON web token could not be decoded"
EXP_IN_PAST = ("'Expiration time' claim ('exp') must be a numeric value representing the future "
               "time at which the assertion expires")
EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future"
IAT_INVALID = ("'Issued at' claim ('iat') must be an Integer representing the time that the "
               "assertion was issued")
BAD_CREDENTIALS = "Bad credentials"
NOT_ACCESSIBLE = "Resource not accessible by integration"
LEVELS = {"read": 1, "write": 2, "admin": 3}


class AuthError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Caller:
    kind: str  # "app" | "installation" | "user" | "anonymous"
    token: AccessToken | None = None
    installation: Installation | None = None
    user: Account | None = None
    address: str = "127.0.0.1"

    @property
    def rate_owner(self) -> tuple[str, str]:
        """The budget this call spends: per installation, per user, per App, or per IP."""
        if self.kind == "installation" and self.installation is not None:
            return f"installation:{self.installation.id}", "installation"
        if self.kind == "user" and self.user is not None:
            return f"user:{self.user.login}", "user"
        if self.kind == "app":
            return "app", "app"
        return f"anonymous:{self.address}", "anonymous"


def authenticate(state: GitHubState, authorization: str | None, address: str) -> Caller:
    if not authorization:
        return Caller("anonymous", address=address)
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() not in ("bearer", "token") or not credential:
        raise AuthError(401, BAD_CREDENTIALS)
    if credential.count(".") == 2 and credential.startswith("eyJ"):
        verify_app_jwt(state, credential)
        return Caller("app", address=address)
    return _token_caller(state, credential, address)


def verify_app_jwt(state: GitHubState, token: str) -> None:
    """RS256 against the App's public key; `iss` is the App id or client id; at most 10 min."""
    try:
        claims = jwt.decode(token, state.app.public_key_pem, algorithms=["RS256"],
                            options={"verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False, "verify_aud": False,
                                     "verify_iss": False})
    except jwt.PyJWTError:
        raise AuthError(401, BAD_JWT) from None
    issuer = claims.get("iss")
    if str(issuer) not in (str(state.app.id), state.app.client_id):
        raise AuthError(401, BAD_JWT)
    now = int(state.clock.now())
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= now:
        raise AuthError(401, EXP_IN_PAST)
    if not isinstance(iat, int | float) or isinstance(iat, bool) or iat > now + 1:
        raise AuthError(401, IAT_INVALID)
    if exp > now + MAX_JWT_LIFETIME or exp - iat > MAX_JWT_LIFETIME:
        raise AuthError(401, EXP_TOO_FAR)


def _token_caller(state: GitHubState, credential: str, address: str) -> Caller:
    with state.lock:
        token = state.tokens.get(credential)
        if token is None or token.revoked:
            raise AuthError(401, BAD_CREDENTIALS)
        if token.expires_at is not None and token.expires_at <= state.clock.now():
            raise AuthError(401, BAD_CREDENTIALS)
        if token.kind == "installation":
            inst = state.installations.get(token.installation_id or 0)
            if inst is None:
                raise AuthError(401, BAD_CREDENTIALS)
            if inst.suspended_at is not None:
                raise AuthError(403, "This installation has been suspended")
            return Caller("installation", token=token, installation=inst, address=address)
        return Caller("user", token=token, user=state.account(token.user_login or ""),
                      address=address)


def has_permission(caller: Caller, name: str, level: str) -> bool:
    """Installation tokens carry the installation's (or a narrowed) permission set."""
    if caller.kind != "installation" or caller.token is None:
        return True
    granted = caller.token.permissions.get(name)
    return granted is not None and LEVELS[granted] >= LEVELS[level]
