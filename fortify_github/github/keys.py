"""Loading the GitHub App's private key in every form operators hand it to us.

Operators paste keys into environment variables in many shapes (real newlines, literal
``\\n`` sequences, base64 of the whole PEM) or point at a file; each must load, and each
failure must name the variable without echoing the key.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PEM_VARIABLE = "GITHUB_APP_PRIVATE_KEY"
PATH_VARIABLE = "GITHUB_APP_PRIVATE_KEY_PATH"


class PrivateKeyError(ValueError):
    """The configured private key cannot be used; the message names the variable."""


def normalise_pem(raw: str) -> bytes:
    """PEM bytes from PEM text, PEM with literal ``\\n`` sequences, or base64 of a PEM."""
    text = raw.strip().strip('"').strip("'")
    if "-----BEGIN" in text:
        return text.replace("\\n", "\n").encode()
    try:
        decoded = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError):
        return text.encode()
    return decoded if b"-----BEGIN" in decoded else text.encode()


def load_private_key(*, pem: str = "", path: str = "") -> rsa.RSAPrivateKey:
    """The App's RSA private key from PEM text (any form) or, failing that, a file path."""
    if pem:
        variable, raw = PEM_VARIABLE, pem
    elif path:
        variable = PATH_VARIABLE
        try:
            raw = Path(path).expanduser().read_text()
        except OSError as error:
            raise PrivateKeyError(
                f"{PATH_VARIABLE} points at a file that cannot be read ({error.strerror})."
            ) from None
    else:
        raise PrivateKeyError(f"Neither {PEM_VARIABLE} nor {PATH_VARIABLE} is set.")
    try:
        key = serialization.load_pem_private_key(normalise_pem(raw), password=None)
    except (ValueError, TypeError):
        raise PrivateKeyError(
            f"{variable} does not hold a readable PEM private key "
            "(accepted: PEM text, PEM with literal \\n, base64 of the PEM, or a file path)."
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise PrivateKeyError(f"{variable} must be an RSA key: GitHub signs App JWTs with RS256.")
    return key
