"""Encryption at rest for every GitHub token we keep (database rows and the shared cache).

``TOKEN_ENCRYPTION_KEYS`` is read at call time: the first key encrypts, every key decrypts
(``MultiFernet``), so keys rotate by prepending a new one, running
``manage.py rotate_encryption_key``, then dropping the old one.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class TokenDecryptionError(Exception):
    """A stored value decrypts under none of the configured keys (never carries the value)."""


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEY is not set: tokens cannot be stored.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEY holds a key that is not a valid Fernet key."
        ) from None


def fernet() -> MultiFernet:
    """The ``MultiFernet`` for the keys configured right now."""
    return _multifernet(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    """Fernet ciphertext (url-safe base64 text) of ``plaintext``, under the first key."""
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The plaintext of a value encrypted under any configured key."""
    try:
        return fernet().decrypt(ciphertext.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        raise TokenDecryptionError(
            "a stored token decrypts under none of the TOKEN_ENCRYPTION_KEY keys"
        ) from None


def rotate(ciphertext: str) -> str:
    """The same plaintext re-encrypted under the first key (original timestamp kept)."""
    try:
        return fernet().rotate(ciphertext.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        raise TokenDecryptionError(
            "a stored token decrypts under none of the TOKEN_ENCRYPTION_KEY keys"
        ) from None
