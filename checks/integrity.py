"""Scan integrity: every changed file an engine should have covered and did not is counted.

A gate that drops a file it could not scan and then says "No security issues found" can be
talked into passing (pad a file past the size limit, add one line of syntax the engine does
not parse). Each such file is recorded here with a reason, stored on the scan, listed in the
check run, and keeps the run from concluding ``success``.

The fetcher and the engines report gaps into a ``Gaps`` collector that the agent opens for
the duration of one scan (a context variable, so engines need no extra parameter).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class Reason(StrEnum):
    """Why a changed file was not scanned; the value is stored, the label is shown."""

    TOO_LARGE = "too_large"
    UNPARSEABLE = "unparseable"
    BINARY = "binary"
    ENGINE_FAILED = "engine_failed"
    ENGINE_TIMEOUT = "engine_timeout"
    FETCH_FAILED = "fetch_failed"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Reason.TOO_LARGE: "larger than the scan size limit",
    Reason.UNPARSEABLE: "the engine could not parse it",
    Reason.BINARY: "binary content where source code was expected",
    Reason.ENGINE_FAILED: "the engine failed",
    Reason.ENGINE_TIMEOUT: "the engine timed out",
    Reason.FETCH_FAILED: "it could not be fetched from GitHub",
}


@dataclass(frozen=True, kw_only=True)
class Unscanned:
    """One file (repo-relative path) that was not (fully) scanned, and why."""

    path: str
    reason: Reason
    #: The engine that missed it; empty for fetch-level gaps (every engine missed it).
    engine: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason.value, "engine": self.engine}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Unscanned:
        return cls(path=str(data["path"]), reason=Reason(data["reason"]),
                   engine=str(data.get("engine") or ""))


class Gaps:
    """The files one scan missed; the first reason recorded for a (path, engine) stays."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Unscanned] = {}

    def add(self, path: str, reason: Reason, engine: str = "") -> None:
        self._items.setdefault((path, engine), Unscanned(path=path, reason=reason,
                                                         engine=engine))

    def resolve(self, path: str, engine: str) -> None:
        """Another engine covered what ``engine`` missed (a parse-failure fallback)."""
        self._items.pop((path, engine), None)

    def paths(self) -> set[str]:
        return {item.path for item in self._items.values()}

    def items(self) -> list[Unscanned]:
        return sorted(self._items.values(), key=lambda item: (item.path, item.engine))


_current: contextvars.ContextVar[Gaps | None] = contextvars.ContextVar("scan_gaps",
                                                                       default=None)


@contextmanager
def collecting(gaps: Gaps | None = None) -> Iterator[Gaps]:
    """Collect the gaps reported while the block runs (nested blocks share the outer one)."""
    outer = _current.get()
    gaps = gaps or outer or Gaps()
    token = _current.set(gaps)
    try:
        yield gaps
    finally:
        _current.reset(token)


def report(path: str, reason: Reason, engine: str = "") -> None:
    """Record a gap in the current scan (nothing happens outside a scan)."""
    gaps = _current.get()
    if gaps is not None:
        gaps.add(path, reason, engine)


#: Semgrep error types that mean the file was not analysed at all (``PartialParsing`` means
#: the rest of the file was, so it is not a gap).
_WHOLE_FILE_ERRORS = frozenset({"Syntax error", "Lexical error", "Other syntax error"})


def report_engine_errors(engine: str, workdir: Path, errors: Iterable[Any]) -> None:
    """Files a tool listed in its report's ``errors`` (Bandit's ``filename``, Semgrep's
    ``path``): unparseable for that engine. Semgrep's warnings (a partial parse that still
    scanned the rest of the file) are not gaps."""
    from checks.engines.base import repo_path

    for error in errors:
        if not isinstance(error, Mapping):
            continue
        kind = error.get("type")
        kind = str(kind[0] if isinstance(kind, list) and kind else kind or "")
        if str(error.get("level", "error")).lower() not in ("error", "fatal") and \
                kind not in _WHOLE_FILE_ERRORS:
            continue
        reported = error.get("filename") or error.get("path")
        if not reported:
            continue
        path = repo_path(workdir, str(reported))
        if path is not None:
            timed_out = "timeout" in kind.lower()
            report(path, Reason.ENGINE_TIMEOUT if timed_out else Reason.UNPARSEABLE, engine)


def is_binary(data: bytes) -> bool:
    """Git's own test: a NUL byte in the first 8000 bytes."""
    return b"\0" in data[:8000]


def unscanned_from(rows: Iterable[Mapping[str, Any]]) -> list[Unscanned]:
    return [Unscanned.from_dict(row) for row in rows]


def current() -> Gaps | None:
    """The gaps of the scan running in this context, if any."""
    return _current.get()
