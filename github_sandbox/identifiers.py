"""Identifiers shaped like GitHub's: numeric ids, node ids, tokens, request ids."""

from __future__ import annotations

import base64
import itertools
import secrets
import string
import threading

_ALPHANUMERIC = string.ascii_letters + string.digits


class IdSequence:
    """Monotonic integer ids; each kind of object gets its own range like on github.com."""

    def __init__(self, start: int) -> None:
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            return next(self._counter)


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
