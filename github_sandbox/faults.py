"""Injected failures, to test the product's retries, rate-limit and lost-response handling."""

from __future__ import annotations

import fnmatch
import re
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = ("server_error", "primary_rate_limit", "secondary_rate_limit", "slow", "drop")


@dataclass
class Fault:
    """Matches `method` + path; fires on the next `times` matching requests, then clears."""

    method: str
    path_pattern: str
    kind: str
    times: int = 1
    options: dict[str, Any] = field(default_factory=dict)
    fired: int = 0
    released: threading.Event = field(default_factory=threading.Event, repr=False)

    def hold(self, seconds: float) -> None:
        """Delay a request (slow, drop) for `seconds`, or until the faults are cleared: a
        test can make a call hang 30 s and still end the hang as soon as it has seen enough."""
        self.released.wait(seconds)

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method.upper()):
            return False
        if fnmatch.fnmatchcase(path, self.path_pattern):
            return True
        try:
            return re.fullmatch(self.path_pattern, path) is not None
        except re.error:
            return False

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "path_pattern": self.path_pattern, "kind": self.kind,
                "times": self.times, "fired": self.fired, **self.options}


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._fired: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, method: str, path_pattern: str, kind: str, times: int = 1,
            **options: Any) -> Fault:
        """E.g. `add("POST", "/repos/*/check-runs", "server_error", times=2, status=502)`.

        Options: `status` (server_error: 500/502/503), `reset_in` (primary_rate_limit, seconds),
        `retry_after` (secondary_rate_limit; None for no header), `delay` (slow and drop, seconds).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        fault = Fault(method.upper(), path_pattern, kind, times, options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and end the delays of requests they are holding."""
        with self._lock:
            for fault in self._faults + self._fired:
                fault.released.set()
            self._faults.clear()
            self._fired.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, counted as fired (and dropped when used up)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.fired += 1
                    if fault.fired >= fault.times:
                        self._faults.remove(fault)
                        if fault.kind in ("slow", "drop"):
                            self._fired.append(fault)  # still holding a request
                    return fault
        return None

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
