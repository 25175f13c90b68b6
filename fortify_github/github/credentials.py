"""Who a client speaks as: the App (JWT), an installation (token), or a user (token).

Each credential also names the rate-limit budget it spends (``rate_key``) and the identity its
cached responses belong to, so one installation never reads another's cached ETag bodies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Protocol


class Credential(Protocol):
    rate_key: str

    def authorization(self) -> str:
        """The ``Authorization`` header value for the next request."""

    def renew_after_401(self, rejected: str, message: str,
                        headers: Mapping[str, str]) -> bool:
        """Replace a rejected credential; True when a retry with a new one makes sense."""


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


class AppCredential:
    rate_key = "app"

    def authorization(self) -> str:
        from fortify_github.github.auth import app_jwt

        return f"Bearer {app_jwt()}"

    def renew_after_401(self, rejected: str, message: str,
                        headers: Mapping[str, str]) -> bool:
        """A JWT refused for its ``iat``/``exp`` means our clock is off: re-sign on GitHub's
        time (from ``Date``) once. Any other refusal (wrong key or App id) would repeat."""
        from fortify_github.github.auth import note_clock_skew
        from fortify_github.github.ratelimit import server_offset

        if "'exp'" not in message and "'iat'" not in message:
            return False
        return note_clock_skew(server_offset(headers))


class InstallationCredential:
    def __init__(self, installation_id: int, *, repositories: list[str] | None = None,
                 permissions: dict[str, str] | None = None) -> None:
        self.installation_id = int(installation_id)
        self.repositories = sorted(repositories) if repositories else None
        self.permissions = dict(sorted(permissions.items())) if permissions else None
        self.rate_key = f"installation:{self.installation_id}"
        self.narrowing = narrowing_id(self.repositories, self.permissions)

    def authorization(self) -> str:
        from fortify_github.github.tokens import installation_token

        token = installation_token(self.installation_id, repositories=self.repositories,
                                   permissions=self.permissions)
        return f"Bearer {token}"

    def renew_after_401(self, rejected: str, message: str,
                        headers: Mapping[str, str]) -> bool:
        from fortify_github.github.tokens import installation_token

        installation_token(self.installation_id, repositories=self.repositories,
                           permissions=self.permissions,
                           stale=rejected.removeprefix("Bearer "))
        return True


class TokenCredential:
    """A user's OAuth or user-to-server token (refreshing it is ``accounts``' business)."""

    def __init__(self, access_token: str) -> None:
        self._token = access_token
        self.rate_key = f"user:{_fingerprint(access_token)}"

    def authorization(self) -> str:
        return f"Bearer {self._token}"

    def renew_after_401(self, rejected: str, message: str,
                        headers: Mapping[str, str]) -> bool:
        return False


class AnonymousCredential:
    """No credential at all: the few endpoints GitHub serves to anyone (the App manifest
    conversion, whose one-time code is the proof)."""

    rate_key = "anonymous"

    def authorization(self) -> str:
        return ""

    def renew_after_401(self, rejected: str, message: str,
                        headers: Mapping[str, str]) -> bool:
        return False


def narrowing_id(repositories: list[str] | None, permissions: dict[str, str] | None) -> str:
    """A stable short id for a token's narrowing ("all" when not narrowed)."""
    if not repositories and not permissions:
        return "all"
    canonical = json.dumps({"repositories": sorted(repositories or []),
                            "permissions": sorted((permissions or {}).items())},
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def cache_identity(credential: Credential) -> str:
    if isinstance(credential, InstallationCredential):
        return f"{credential.rate_key}:{credential.narrowing}"
    return credential.rate_key
