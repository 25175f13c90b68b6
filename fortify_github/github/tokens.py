"""Installation access tokens: fetched once, shared by every process, renewed before expiry.

https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app
A token lives an hour. It is kept in the shared cache (encrypted) until 5 minutes before its
``expires_at``; when several workers need one at once, one fetches it under a lock while the
others wait and reuse it. A 401 replaces only the rejected token (``stale``), so a burst of
401s across workers still yields exactly one new token. Narrowed tokens (repositories and/or
permissions) are cached under their own key. Tokens have no fixed length: never assume one.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache

from fortify_github.github import crypto, metrics, shared
from fortify_github.github.conf import conf
from fortify_github.github.credentials import narrowing_id
from fortify_github.github.errors import NotFound, PermissionDenied, Unavailable

logger = logging.getLogger("fortify_github.github")



def lock_timeout() -> float:
    """How long the fetching worker may hold the lock: its fetch's worst case (every retry
    timing out, the backoff budget, rate-limit waits), so the lock never lapses mid-fetch and
    lets a second worker fetch a second token. A holder that died frees it after this long."""
    settings_ = conf()
    return (settings_.retry_max_attempts * (settings_.connect_timeout + settings_.read_timeout)
            + settings_.retry_max_total_wait + 3 * settings_.rate_limit_max_wait + 10)


@dataclass(frozen=True)
class InstallationToken:
    token: str
    expires_at: float  # epoch seconds
    permissions: dict[str, str]
    repository_selection: str | None = None

    def __repr__(self) -> str:  # never print the token
        return f"InstallationToken(expires_at={self.expires_at!r}, permissions=...)"

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> InstallationToken:
        expires = datetime.fromisoformat(str(data["expires_at"]).replace("Z", "+00:00"))
        return cls(token=data["token"], expires_at=expires.timestamp(),
                   permissions=dict(data.get("permissions") or {}),
                   repository_selection=data.get("repository_selection"))


def refresh_margin() -> float:
    """Seconds before ``expires_at`` at which a token is replaced."""
    return conf().token_refresh_margin


def _generation_key(installation_id: int) -> str:
    return shared.key("installation-token-generation", installation_id)


def _token_key(installation_id: int, narrowing: str, generation: str) -> str:
    return shared.key("installation-token", installation_id, generation, narrowing)


def _current_key(installation_id: int, narrowing: str) -> str:
    generation = cache.get(_generation_key(installation_id)) or "0"
    return _token_key(installation_id, narrowing, generation)


def _read(cache_key: str) -> InstallationToken | None:
    stored = cache.get(cache_key)
    if not stored:
        return None
    try:
        data = json.loads(crypto.decrypt(stored))
    except (crypto.TokenDecryptionError, ValueError):
        return None  # e.g. written under a key since removed: fetch a new one
    token = InstallationToken(data["token"], float(data["expires_at"]), data["permissions"],
                              data.get("repository_selection"))
    if token.expires_at - refresh_margin() <= time.time():
        return None
    return token


def _store(cache_key: str, token: InstallationToken) -> None:
    ttl = int(token.expires_at - refresh_margin() - time.time())
    if ttl <= 0:
        return
    payload = json.dumps({"token": token.token, "expires_at": token.expires_at,
                          "permissions": token.permissions,
                          "repository_selection": token.repository_selection})
    cache.set(cache_key, crypto.encrypt(payload), timeout=ttl)


def installation_token(installation_id: int, *, repositories: list[str] | None = None,
                       permissions: dict[str, str] | None = None,
                       stale: str | None = None) -> str:
    """A valid token for the installation, from the shared cache or fetched once.

    ``stale`` is a token GitHub just rejected: it is never returned again.
    """
    token = installation_token_details(installation_id, repositories=repositories,
                                       permissions=permissions, stale=stale)
    return token.token


def installation_token_details(installation_id: int, *, repositories: list[str] | None = None,
                               permissions: dict[str, str] | None = None,
                               stale: str | None = None) -> InstallationToken:
    narrowing = narrowing_id(repositories, permissions)
    cache_key = _current_key(installation_id, narrowing)
    cached = _read(cache_key)
    if cached is not None and cached.token != stale:
        return cached
    try:
        with shared.shared_lock(f"installation-token:{installation_id}:{narrowing}",
                                timeout=lock_timeout(), blocking_timeout=lock_timeout() + 5):
            cached = _read(cache_key)  # another process may have fetched it meanwhile
            if cached is not None and cached.token != stale:
                return cached
            fresh = _fetch(installation_id, repositories=repositories, permissions=permissions)
            _store(cache_key, fresh)
            return fresh
    except shared.LockTimeout:
        raise Unavailable(
            "timed out waiting for another process to fetch the installation token",
            endpoint="POST /app/installations/{installation_id}/access_tokens", sent=False,
            retry_after=5,
        ) from None


def _fetch(installation_id: int, *, repositories: list[str] | None,
           permissions: dict[str, str] | None) -> InstallationToken:
    from fortify_github.github import app_client

    metrics.TOKEN_FETCHES.inc()
    try:
        data = app_client().create_installation_token(
            installation_id, repositories=repositories, permissions=permissions)
    except (NotFound, PermissionDenied):
        # Deleted (404) or suspended (403): whatever we cached is useless now.
        drop_installation_token(installation_id)
        raise
    logger.info("Fetched an installation token", extra={"installation_id": installation_id})
    return InstallationToken.from_api(data)


def drop_installation_token(installation_id: int) -> None:
    """Forget every cached token of an installation (deleted, suspended, permissions changed).

    Bumps the installation's generation, so narrowed tokens under hashed keys go too.
    """
    cache.set(_generation_key(installation_id), uuid.uuid4().hex[:12], timeout=None)
