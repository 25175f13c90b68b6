"""Test helpers: `running_sandbox()` for fixtures, and App JWT minting like a client would."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jwt

from .server import SandboxServer


@contextmanager
def running_sandbox(*, seed: bool = True,
                    key_dir: str | Path | None = None) -> Iterator[SandboxServer]:
    """A started sandbox on a free port, stopped (webhook worker included) on exit."""
    server = SandboxServer(seed=seed, key_dir=key_dir).start()
    try:
        yield server
    finally:
        server.stop()


def app_jwt(server: SandboxServer, *, iat: float | None = None, exp: float | None = None,
            issuer: int | str | None = None, key_pem: str | None = None) -> str:
    """An App JWT as GitHub documents it (iat 60 s back, 10 minutes max), on the sandbox clock."""
    now = server.state.clock.now() if iat is None or exp is None else time.time()
    claims = {
        "iat": int(iat if iat is not None else now - 60),
        "exp": int(exp if exp is not None else now + 540),
        "iss": issuer if issuer is not None else server.app.id,
    }
    # PyJWT insists on a string `iss`; GitHub also takes the integer App id, so sign raw JSON.
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jwt.PyJWS().encode(payload, key_pem or server.app.private_key_pem, algorithm="RS256",
                              headers={"typ": "JWT"})


def installation_id_for(server: SandboxServer, account: str = "fortify-demo") -> int:
    """The id of the (first) installation on `account`, e.g. the seeded org installation."""
    with server.state.lock:
        return next(i.id for i in server.state.installations.values()
                    if i.account.login.lower() == account.lower())


def installation_token(server: SandboxServer, account: str = "fortify-demo",
                       **body: object) -> str:
    """Exchange an App JWT for an installation token over HTTP, as the product does."""
    import requests

    response = requests.post(
        f"{server.url}/app/installations/{installation_id_for(server, account)}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(server)}",
                 "Accept": "application/vnd.github+json"},
        json=body or None, timeout=10)
    response.raise_for_status()
    return str(response.json()["token"])
