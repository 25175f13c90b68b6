"""Reading and validating the service's configuration from the environment.

Settings call these helpers so that every variable is parsed the same way and production
start-up can name exactly which variable is missing or still a placeholder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet

from fortify_github.github.keys import PrivateKeyError, load_private_key

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off", ""})

# Values that show a variable was copied from an example rather than really set.
PLACEHOLDER_MARKERS = ("changeme", "change-me", "change_me", "placeholder", "your_", "your-",
                       "example", "django-insecure", "xxx", "todo", "secret-here")


class ConfigurationError(Exception):
    """Raised at start-up when the environment cannot run the service safely."""


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default).strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    raw = env_str(name, "", environ).lower()
    if not raw:
        return default
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ConfigurationError(f"{name} must be one of true/false/1/0/yes/no, not {raw!r}.")


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated variable as a list, blanks dropped."""
    return [item.strip() for item in env_str(name, default, environ).split(",") if item.strip()]


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def local_encryption_key(var_dir: Path) -> tuple[str, bool]:
    """The embedded default's Fernet key, kept in ``var/`` so restarts can decrypt.

    Returns the key and whether it was created just now (the caller says so).
    """
    path = var_dir / "token-encryption.key"
    if path.exists():
        return path.read_text().strip(), False
    var_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key, True


def invalid_fernet_keys(keys: list[str]) -> list[int]:
    """Positions (1-based) of the keys that are not valid Fernet keys."""
    bad = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            bad.append(position)
    return bad


def production_problems(environ: Mapping[str, str] | None = None) -> list[str]:
    """Everything that stops production start-up, each naming its variable.

    Never includes a value: the message may end up in logs.
    """
    environ = os.environ if environ is None else environ
    problems: list[str] = []

    def require(name: str, why: str) -> str:
        value = env_str(name, "", environ)
        if not value:
            problems.append(f"{name} is not set ({why}).")
        elif is_placeholder(value):
            problems.append(f"{name} still holds a placeholder value ({why}).")
        return value

    secret_key = require("DJANGO_SECRET_KEY", "signs sessions and CSRF tokens")
    if secret_key and not is_placeholder(secret_key) and len(secret_key) < 50:
        problems.append("DJANGO_SECRET_KEY must be at least 50 characters long.")
    if not env_list("DJANGO_ALLOWED_HOSTS", "", environ):
        problems.append("DJANGO_ALLOWED_HOSTS is not set (the host names this service answers to).")
    require("GITHUB_APP_ID", "the GitHub App's id, used as the JWT issuer")
    webhook_secrets = env_list("GITHUB_WEBHOOK_SECRET", "", environ)
    if not webhook_secrets:
        problems.append("GITHUB_WEBHOOK_SECRET is not set (verifies webhook signatures).")
    elif any(is_placeholder(secret) for secret in webhook_secrets):
        problems.append("GITHUB_WEBHOOK_SECRET still holds a placeholder value.")
    require("GITHUB_CLIENT_ID", "OAuth sign-in")
    require("GITHUB_CLIENT_SECRET", "OAuth sign-in")

    keys = env_list("TOKEN_ENCRYPTION_KEY", "", environ)
    if not keys:
        problems.append("TOKEN_ENCRYPTION_KEY is not set (encrypts stored GitHub tokens).")
    elif bad := invalid_fernet_keys(keys):
        listed = ", ".join(str(position) for position in bad)
        problems.append(
            f"TOKEN_ENCRYPTION_KEY key #{listed} is not a valid Fernet key "
            "(32 url-safe base64-encoded bytes)."
        )

    pem = env_str("GITHUB_APP_PRIVATE_KEY", "", environ)
    pem_path = env_str("GITHUB_APP_PRIVATE_KEY_PATH", "", environ)
    if not pem and not pem_path:
        problems.append(
            "GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH) is not set "
            "(signs the App's JWTs)."
        )
    else:
        try:
            load_private_key(pem=pem, path=pem_path)
        except PrivateKeyError as error:
            problems.append(str(error))
    return problems
