"""Per-owner REST rate limits, counted for real so `x-ratelimit-remaining` goes down."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .clock import SandboxClock

WINDOW_SECONDS = 3600
LIMITS = {"installation": 5000, "user": 5000, "app": 5000, "anonymous": 60}


@dataclass
class Budget:
    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def headers(self, resource: str = "core") -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-resource": resource,
        }


class RateLimiter:
    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._budgets: dict[str, Budget] = {}
        self._lock = threading.Lock()

    def peek(self, owner: str, kind: str) -> Budget:
        """The owner's budget without spending (the hourly window restarts when it runs out)."""
        with self._lock:
            return self._current(owner, kind)

    def spend(self, owner: str, kind: str) -> Budget:
        with self._lock:
            budget = self._current(owner, kind)
            budget.used += 1
            return Budget(budget.limit, budget.used, budget.reset)

    def _current(self, owner: str, kind: str) -> Budget:
        now = int(self._clock.now())
        budget = self._budgets.get(owner)
        if budget is None or now >= budget.reset:
            budget = Budget(LIMITS[kind], 0, now + WINDOW_SECONDS)
            self._budgets[owner] = budget
        return budget
