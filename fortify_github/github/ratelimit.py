"""Staying inside GitHub's rate limits, for every process at once.

https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api
Three mechanisms, all in shared state (Redis, or the Django cache on the embedded default):

* the **budget** each credential has left, remembered from ``x-ratelimit-*`` headers, so a
  call waits for the reset instead of spending a request to learn it is blocked, and calls
  spread out as the budget runs low;
* a **penalty box** after a secondary limit: ``retry-after``, else 60 s doubling each time,
  honoured by every process, not just the one that was told;
* a **throttle** on content-creating requests (check runs, commits...) per installation under
  GitHub's secondary limits, 80 a minute and 500 an hour.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.cache import cache

from fortify_github.github import shared
from fortify_github.github.conf import conf

SECONDARY_MIN_WAIT = 60.0
SECONDARY_MAX_WAIT = 15 * 60.0

# Sliding-window log of content-creating requests; answers 0 (slot taken) or the ms to wait.
_THROTTLE_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local per_minute, per_hour = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
local minute = redis.call('ZCOUNT', KEYS[1], now - 60000, '+inf')
if minute >= per_minute then
  local e = redis.call('ZRANGEBYSCORE', KEYS[1], now - 60000, '+inf', 'WITHSCORES',
                       'LIMIT', minute - per_minute, 1)
  return math.max(tonumber(e[2]) + 60000 - now, 1)
end
local hour = redis.call('ZCARD', KEYS[1])
if hour >= per_hour then
  local e = redis.call('ZRANGE', KEYS[1], hour - per_hour, hour - per_hour, 'WITHSCORES')
  return math.max(tonumber(e[2]) + 3600000 - now, 1)
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
"""


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    reset: float  # epoch seconds, our clock

    def as_dict(self) -> dict[str, float]:
        return {"limit": self.limit, "remaining": self.remaining, "reset": self.reset}


@dataclass(frozen=True)
class Gate:
    """What to do before sending: wait ``delay`` seconds; ``kind`` says why (for errors)."""

    delay: float = 0.0
    kind: str = ""  # "" | "primary" | "secondary" | "low_budget"
    reset_at: float | None = None
    penalised: bool = False


def _budget_key(rate_key: str) -> str:
    return shared.key("budget", rate_key)


def _penalty_key(rate_key: str) -> str:
    return shared.key("penalty", rate_key)


def _strikes_key(rate_key: str) -> str:
    return shared.key("strikes", rate_key)


def server_offset(headers: Mapping[str, str]) -> float:
    """Seconds our clock is behind GitHub's (from the ``Date`` header), so a reset epoch
    from GitHub converts to our clock even when the two drift."""
    from email.utils import parsedate_to_datetime

    date = headers.get("date")
    if not date:
        return 0.0
    try:
        server_now = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError):
        return 0.0
    offset = server_now - time.time()
    # One-second resolution: ignore differences that are only rounding.
    return offset if abs(offset) > 2 else 0.0


def remember_budget(rate_key: str, headers: Mapping[str, str]) -> Budget | None:
    """Store the ``core`` budget a response reports, shared by every process."""
    resource = headers.get("x-ratelimit-resource", "core")
    if resource != "core":
        return None
    try:
        limit = int(headers["x-ratelimit-limit"])
        remaining = int(headers["x-ratelimit-remaining"])
        reset = float(headers["x-ratelimit-reset"]) - server_offset(headers)
    except (KeyError, ValueError):
        return None
    budget = Budget(limit, remaining, reset)
    ttl = max(int(reset - time.time()) + 5, 5)
    cache.set(_budget_key(rate_key), budget.as_dict(), timeout=min(ttl, 3700))
    return budget


def note_exhausted(rate_key: str, reset_at: float) -> None:
    """A primary limit was hit: no process spends a request on this credential until reset."""
    previous = remembered_budget(rate_key)
    limit = previous.limit if previous else 5000
    ttl = max(int(reset_at - time.time()) + 5, 5)
    cache.set(_budget_key(rate_key), Budget(limit, 0, reset_at).as_dict(), timeout=min(ttl, 3700))


def remembered_budget(rate_key: str) -> Budget | None:
    stored = cache.get(_budget_key(rate_key))
    if not stored:
        return None
    return Budget(int(stored["limit"]), int(stored["remaining"]), float(stored["reset"]))


def gate(rate_key: str) -> Gate:
    """How long to hold a request for ``rate_key`` before sending it (one cache round trip)."""
    values = cache.get_many([_budget_key(rate_key), _penalty_key(rate_key)])
    now = time.time()
    penalty_until = values.get(_penalty_key(rate_key))
    if penalty_until and float(penalty_until) > now:
        return Gate(float(penalty_until) - now, "secondary", penalised=True)
    stored = values.get(_budget_key(rate_key))
    if not stored:
        return Gate(penalised=penalty_until is not None)
    budget = Budget(int(stored["limit"]), int(stored["remaining"]), float(stored["reset"]))
    if budget.reset <= now:
        return Gate(penalised=penalty_until is not None)
    if budget.remaining <= 0:
        return Gate(budget.reset - now + 1, "primary", reset_at=budget.reset,
                    penalised=penalty_until is not None)
    low_water = max(budget.limit * conf().rate_limit_low_water, 1)
    if budget.remaining < low_water:
        # Spread what is left over the time to the reset rather than spend it in a burst.
        spread = (budget.reset - now) / budget.remaining
        return Gate(min(spread, 2.0), "low_budget", penalised=penalty_until is not None)
    return Gate(penalised=penalty_until is not None)


def secondary_wait(rate_key: str, retry_after: float | None) -> float:
    """Record a secondary limit and return how long every process should hold off.

    GitHub's ``retry-after`` when given; otherwise at least a minute, doubling with each
    consecutive hit (GitHub's documented advice).
    """
    if retry_after is not None:
        wait = max(float(retry_after), 0.0)
    else:
        strikes_key = _strikes_key(rate_key)
        cache.add(strikes_key, 0, timeout=3600)
        try:
            strikes = cache.incr(strikes_key)
        except ValueError:
            strikes = 1
        wait = min(SECONDARY_MIN_WAIT * 2 ** (strikes - 1), SECONDARY_MAX_WAIT)
    # Kept an hour past the wait, so the next success knows to reset the strikes.
    cache.set(_penalty_key(rate_key), time.time() + wait, timeout=int(wait) + 3600)
    return wait


def clear_penalty(rate_key: str) -> None:
    """A request went through after a penalty: the next secondary limit starts at 60 s again."""
    cache.delete_many([_penalty_key(rate_key), _strikes_key(rate_key)])


def acquire_content_slot(rate_key: str) -> float:
    """Take a slot for one content-creating request: 0 when taken, else seconds to wait."""
    settings = conf()
    client = shared.redis_client()
    member = uuid.uuid4().hex
    if client is not None:
        waited_ms = client.eval(_THROTTLE_SCRIPT, 1, shared.key("throttle", rate_key), member,
                                settings.content_per_minute, settings.content_per_hour)
        return float(waited_ms) / 1000.0
    # Embedded default: the same sliding window, kept consistent under a shared lock.
    with shared.shared_lock(f"throttle:{rate_key}", timeout=5, blocking_timeout=5):
        log_key = shared.key("throttle", rate_key)
        now = time.time()
        stamps = [stamp for stamp in cache.get(log_key, []) if stamp > now - 3600]
        minute = [stamp for stamp in stamps if stamp > now - 60]
        if len(minute) >= settings.content_per_minute:
            return minute[len(minute) - settings.content_per_minute] + 60 - now
        if len(stamps) >= settings.content_per_hour:
            return stamps[len(stamps) - settings.content_per_hour] + 3600 - now
        stamps.append(now)
        cache.set(log_key, stamps, timeout=3600)
        return 0.0
