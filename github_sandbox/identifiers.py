"""Identifiers shaped like GitHub's: numeric ids, node ids, tokens, request ids."""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import string
import threading
from pathlib import Path

_ALPHANUMERIC = string.ascii_letters + string.digits


class IdLedger:
    """The highest id of each kind handed out, kept in a file so a restarted sandbox never
    hands out an id twice (GitHub never does: a client may remember ids across restarts)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path else None
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}
        if self.path is not None and self.path.exists():
            try:
                self._last = {str(k): int(v) for k, v in json.loads(self.path.read_text()).items()}
            except (ValueError, AttributeError):
                self._last = {}  # an unreadable ledger: start afresh rather than not at all

    def last(self, name: str) -> int:
        with self._lock:
            return self._last.get(name, 0)

    def record(self, name: str, value: int) -> None:
        with self._lock:
            if value <= self._last.get(name, 0):
                return
            self._last[name] = value
            if self.path is not None:
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(self._last))
                temporary.replace(self.path)


class IdSequence:
    """Monotonic integer ids; each kind of object gets its own range like on github.com.

    With a ledger, the sequence continues after the last id handed out by an earlier run.
    """

    def __init__(self, start: int, *, ledger: IdLedger | None = None, name: str = "") -> None:
        self._ledger, self._name = ledger, name
        if ledger is not None:
            start = max(start, ledger.last(name) + 1)
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            value = next(self._counter)
            if self._ledger is not None:
                self._ledger.record(self._name, value)
            return value


def node_id(kind: str, number: int) -> str:
    """Legacy global node id (`MDQ6VXNlcjE=` style), base64 of `0{len}:{Kind}{id}`."""
    raw = f"0{len(kind)}:{kind}{number}"
    return base64.b64encode(raw.encode()).decode()


def random_token(prefix: str, length: int) -> str:
    """A token with GitHub's prefix (`ghs_`, `ghu_`, `ghr_`, `gho_`) and random alphanumerics."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def request_id() -> str:
    """Like `x-github-request-id`: `CC3E:2D5A4:1B1D3F0:1C2A6F1:6630E4B1`."""
    parts = [secrets.token_hex(2), secrets.token_hex(3)[:5], secrets.token_hex(4)[:7],
             secrets.token_hex(4)[:7], secrets.token_hex(4)]
    return ":".join(p.upper() for p in parts)
