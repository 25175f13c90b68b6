"""The GitHub App's own credential: a short-lived RS256 JWT.

https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
``iat`` is 60 s in the past (GitHub rejects a JWT "issued in the future" when clocks drift)
and ``exp`` 9 minutes ahead, inside GitHub's 10-minute limit with room for drift.
"""

from __future__ import annotations

import hashlib
import threading
import time
from functools import lru_cache

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from fortify_github.github.conf import conf
from fortify_github.github.keys import load_private_key

IAT_BACKDATE_SECONDS = 60
JWT_LIFETIME_SECONDS = 9 * 60
# A cached JWT is reused until this close to its expiry.
JWT_REUSE_MARGIN_SECONDS = 60

_cache_lock = threading.Lock()
_cached: dict[str, tuple[str, int]] = {}
# Seconds GitHub's clock is ahead of ours, learnt from a rejected JWT (see ``note_clock_skew``).
_clock_offset = 0.0


@lru_cache(maxsize=4)
def _private_key(pem: str, path: str) -> rsa.RSAPrivateKey:
    return load_private_key(pem=pem, path=path)


def app_private_key() -> rsa.RSAPrivateKey:
    """The configured key, parsed once per process (``PrivateKeyError`` names the variable)."""
    return _private_key(settings.GITHUB_APP_PRIVATE_KEY or "",
                        settings.GITHUB_APP_PRIVATE_KEY_PATH or "")


def jwt_issuer() -> str:
    """The App id, or the client id when ``GITHUB_APP_JWT_ISSUER=client_id`` (GitHub accepts
    both; the client id is what GitHub now recommends)."""
    use_client_id = conf().jwt_issuer == "client_id"
    issuer = settings.GITHUB_CLIENT_ID if use_client_id else settings.GITHUB_APP_ID
    if not issuer:
        variable = "GITHUB_CLIENT_ID" if use_client_id else "GITHUB_APP_ID"
        raise ImproperlyConfigured(f"{variable} is not set: the App JWT needs an issuer.")
    return str(issuer)


def github_now() -> float:
    """Our best guess of GitHub's clock: ours, corrected by any skew GitHub revealed."""
    return time.time() + _clock_offset


def note_clock_skew(offset: float) -> bool:
    """GitHub rejected a JWT's ``iat``/``exp`` and its ``Date`` says its clock differs by
    ``offset`` seconds: sign later JWTs on GitHub's time. True when that changed anything."""
    global _clock_offset
    if abs(offset - _clock_offset) < 2:
        return False
    with _cache_lock:
        _clock_offset = offset
        _cached.clear()
    return True


def create_app_jwt(*, now: float | None = None) -> str:
    """A freshly signed App JWT."""
    issued = int(now if now is not None else github_now())
    claims = {
        "iat": issued - IAT_BACKDATE_SECONDS,
        "exp": issued + JWT_LIFETIME_SECONDS,
        "iss": jwt_issuer(),
    }
    return jwt.encode(claims, app_private_key(), algorithm="RS256")


def app_jwt() -> str:
    """The App JWT, reused within a process until a minute before it expires.

    Signing costs a millisecond or two; every token fetch and App call needs one.
    """
    cache_key = hashlib.sha256(
        "|".join([jwt_issuer(), settings.GITHUB_APP_PRIVATE_KEY or "",
                  settings.GITHUB_APP_PRIVATE_KEY_PATH or ""]).encode()
    ).hexdigest()
    now = int(github_now())
    with _cache_lock:
        cached = _cached.get(cache_key)
        if cached and cached[1] - JWT_REUSE_MARGIN_SECONDS > now:
            return cached[0]
        token = create_app_jwt(now=now)
        _cached.clear()
        _cached[cache_key] = (token, now + JWT_LIFETIME_SECONDS)
        return token
