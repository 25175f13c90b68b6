"""The sandbox GitHub App's credentials: ids, secrets and an RSA key kept across restarts."""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .identifiers import random_token

KEY_FILE_NAME = "sandbox-app.private-key.pem"
SECRETS_FILE_NAME = "sandbox-app.secrets.json"
# What the App requests; an installation may have accepted less (see state.py's default).
DEFAULT_PERMISSIONS = {
    "administration": "write", "checks": "write", "contents": "read", "metadata": "read",
    "pull_requests": "write",
}
DEFAULT_EVENTS = ["check_run", "pull_request"]


@dataclass
class AppCredentials:
    """What a developer copies from the App's settings page on github.com."""

    id: int
    slug: str
    name: str
    client_id: str
    client_secret: str
    webhook_secret: str
    private_key_pem: str
    private_key_path: str
    owner_login: str = "fortify-demo"
    webhook_url: str | None = None
    setup_url: str | None = None
    callback_url: str | None = None
    hook_id: int = 448855011
    permissions: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PERMISSIONS))
    events: list[str] = field(default_factory=lambda: list(DEFAULT_EVENTS))

    @cached_property
    def public_key_pem(self) -> str:
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        return key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def load_or_create_credentials(key_dir: str | Path | None) -> AppCredentials:
    """Reuse the key in `key_dir` when there is one, so a restarted sandbox keeps its key."""
    directory = Path(key_dir) if key_dir else Path(tempfile.mkdtemp(prefix="github-sandbox-"))
    directory = directory.resolve()  # the product may run from another working directory
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE_NAME
    if key_path.exists():
        pem = key_path.read_text()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        key_path.write_text(pem)
        key_path.chmod(0o600)
    return AppCredentials(
        id=1_000_001,
        slug="fortify-sandbox",
        name="Fortify Sandbox",
        private_key_pem=pem,
        private_key_path=str(key_path),
        **_load_or_create_secrets(directory / SECRETS_FILE_NAME),
    )


def _load_or_create_secrets(path: Path) -> dict[str, str]:
    """Client id/secret and webhook secret, kept beside the key so the product's env stays valid."""
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "client_id": "Iv23li" + random_token("", 14),
        "client_secret": secrets.token_hex(20),
        "webhook_secret": secrets.token_hex(20),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values
