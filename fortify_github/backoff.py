"""The one backoff policy: the webhook pipeline's retries and the GitHub client's use it.

Exponential from ``base``, capped at ``cap``, with "equal jitter" (half fixed, half random):
retries of many workers spread out yet never come back at once. A wait the other side asked
for (GitHub's ``Retry-After``, a rate-limit reset) is honoured instead, within ``cap``.
"""

from __future__ import annotations

import secrets

_random = secrets.SystemRandom()


def backoff_delay(attempt: int, *, base: float, cap: float,
                  hinted: float | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first failure)."""
    if hinted is not None:
        return min(cap, max(hinted, 0.0))
    ceiling = min(cap, base * 2 ** max(attempt - 1, 0))
    return ceiling / 2 + _random.uniform(0, ceiling / 2)
