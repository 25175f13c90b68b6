"""GitHub's webhook signature: HMAC-SHA256 of the exact body bytes, keyed by the secret.

https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
Only ``X-Hub-Signature-256`` counts: the legacy SHA-1 ``X-Hub-Signature`` is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

SIGNATURE_PREFIX = "sha256="
_SIGNATURE_RE = re.compile(r"^sha256=[0-9a-f]{64}$")


def signature_for(body: bytes, secret: str) -> str:
    """The header value GitHub would send for ``body`` signed with ``secret``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_well_formed(header: str | None) -> bool:
    return header is not None and bool(_SIGNATURE_RE.match(header.strip().lower()))


def verify(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """Whether ``header`` signs ``body`` with any of ``secrets`` (rotation keeps several).

    Every secret is tried with a constant-time comparison, so the time taken says nothing
    about how much of a forged signature was right.
    """
    if header is None or not is_well_formed(header):
        return False
    given = header.strip().lower().encode()
    matched = False
    for secret in secrets:
        if secret and hmac.compare_digest(signature_for(body, secret).encode(), given):
            matched = True
    return matched
