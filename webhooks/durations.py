"""Operator-friendly durations for command options: ``90s``, ``30m``, ``6h``, ``90d``, ``2w``."""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


# Far beyond any retention GitHub or we keep; larger values are typos.
MAX_DURATION = timedelta(days=3650)


def parse_duration(text: str) -> timedelta:
    """``"6h"`` → ``timedelta(hours=6)``; raises ``ValueError`` with the accepted forms."""
    match = _DURATION_RE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration like 90s, 30m, 6h, 90d or 2w")
    amount, unit = float(match.group(1)), match.group(2).lower()
    try:
        duration = timedelta(**{_UNITS[unit]: amount})
    except OverflowError:
        duration = timedelta.max
    if duration > MAX_DURATION:
        raise ValueError(f"{text!r} is longer than {MAX_DURATION.days} days")
    return duration
