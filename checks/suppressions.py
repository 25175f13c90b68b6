"""Inline suppressions under the team's control, and always visible.

Engines each honour their own comments (``# nosec``, ``nosemgrep``, ``pragma: allowlist
secret``), silently. A pull request could add them next to the code it adds and pass. So the
markers are taken out of the engines' hands: before the engines run, each marker in a file is
overwritten with underscores of the same length (line and column numbers stay), the engines
report everything, and the findings are filtered here by the policy the base branch's
``.fortify.yml`` sets (``allow``, ``require_reason`` or ``forbid``). Every suppressed finding
is kept with its rule and marker, so the check run can show the ones the pull request added.

Fortify's own marker is ``fortify: ignore <rule-id> -- <reason>``; the others take an
optional rule list (``# nosec B602``, ``# nosemgrep: rule-id``) and an optional
``-- reason``.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from checks.findings import Finding


class Policy(StrEnum):
    #: Honour every marker (the default); those a PR adds are still shown and counted.
    ALLOW = "allow"
    #: Honour only markers that name a rule id and give a reason (``-- why``).
    REQUIRE_REASON = "require_reason"
    #: Honour none: every finding is reported as if the marker were not there.
    FORBID = "forbid"


class Kind(StrEnum):
    NOSEC = "nosec"
    NOSEMGREP = "nosemgrep"
    ALLOWLIST = "allowlist secret"
    FORTIFY = "fortify: ignore"


#: Which engines' findings each kind of marker covers (empty: every engine).
_ENGINES: dict[Kind, frozenset[str]] = {
    Kind.NOSEC: frozenset({"bandit"}),
    Kind.NOSEMGREP: frozenset({"semgrep"}),
    Kind.ALLOWLIST: frozenset({"detect-secrets", "bandit"}),
    Kind.FORTIFY: frozenset(),
}

_REASON = r"(?:\s*--\s*(?P<reason>[^\n]*?))?\s*(?:\*/|-->)?\s*$"
_RULES = r"(?P<rules>(?:[\s:,]*[A-Za-z][\w.\-/]*)*)"
_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    (Kind.FORTIFY, re.compile(
        r"fortify:\s*ignore\b(?:\s+(?P<rules>[A-Za-z][\w.\-/:]*))?" + _REASON, re.I)),
    (Kind.NOSEMGREP, re.compile(r"\bnosem(?:grep)?\b" + _RULES + _REASON, re.I)),
    (Kind.NOSEC, re.compile(r"#\s*nosec\b" + _RULES + _REASON, re.I)),
    (Kind.ALLOWLIST, re.compile(
        r"pragma:\s*(?:allow|white)list\s+(?P<next>nextline\s+)?secret\b" + _REASON, re.I)),
]
#: The words engines look for in comments; overwritten (same length) before they run.
_ENGINE_WORDS = re.compile(r"nosec|nosemgrep|nosem|allowlist|whitelist", re.I)
_COMMENT_START = re.compile(r"#|//|/\*|<!--|--")
#: Rule ids Bandit's ``# nosec`` takes (anything else after it is prose).
_BANDIT_ID = re.compile(r"B\d{3}", re.I)


@dataclass(frozen=True, kw_only=True)
class Marker:
    """One suppression comment: the line it covers and what it says."""

    path: str
    line: int
    kind: Kind
    rules: tuple[str, ...] = ()
    reason: str = ""

    def covers(self, finding: Finding) -> bool:
        engines = _ENGINES[self.kind]
        if engines and finding.engine not in engines:
            return False
        if not self.rules:
            return True
        wanted = {rule.lower() for rule in self.rules}
        rule = finding.rule_id.lower()
        return rule in wanted or rule.rsplit(".", 1)[-1] in wanted

    def honoured_under(self, policy: Policy) -> bool:
        if policy is Policy.FORBID:
            return False
        if policy is Policy.REQUIRE_REASON:
            return bool(self.rules) and bool(self.reason)
        return True


@dataclass(frozen=True, kw_only=True)
class Suppressed:
    """A finding a marker suppressed (or would have, had the policy allowed it)."""

    finding: Finding
    marker: Marker
    honoured: bool
    #: The marker is on a line this pull request added or changed.
    added_in_pr: bool

    def as_dict(self) -> dict[str, Any]:
        finding = self.finding
        return {"path": finding.path, "line": finding.start_line, "engine": finding.engine,
                "rule_id": finding.rule_id, "severity": finding.severity.value,
                "title": finding.title, "marker": self.marker.kind.value,
                "marker_line": self.marker.line, "reason": self.marker.reason,
                "honoured": self.honoured, "added_in_pr": self.added_in_pr}


def markers_in(path: str, text: str) -> list[Marker]:
    """Every suppression marker in a file's text."""
    found: list[Marker] = []
    for number, line in enumerate(text.splitlines(), 1):
        for kind, pattern in _PATTERNS:
            match = pattern.search(line)
            if match is None:
                continue
            groups = match.groupdict()
            rules = tuple(rule for rule in re.split(r"[\s:,]+", groups.get("rules") or "")
                          if rule and (kind is not Kind.NOSEC or _BANDIT_ID.fullmatch(rule)))
            covered = number + 1 if groups.get("next") else number
            found.append(Marker(path=path, line=covered, kind=kind, rules=rules,
                                reason=(groups.get("reason") or "").strip()[:200]))
            break  # one marker per line: ``fortify: ignore`` wins over an engine's word
    return found


@contextmanager
def engines_blind_to_markers(workdir: Path, paths: Sequence[str]) -> Iterator[
        dict[str, list[Marker]]]:
    """Hide every marker from the engines while the block runs; yields the markers found.

    Files are restored afterwards, so snippets and fingerprints see the real source.
    """
    originals: dict[Path, bytes] = {}
    markers: dict[str, list[Marker]] = {}
    try:
        for path in paths:
            target = workdir / path
            try:
                data = target.read_bytes()
            except OSError:
                continue
            text = data.decode("utf-8", "surrogateescape")
            if not _ENGINE_WORDS.search(text) and "fortify" not in text.lower():
                continue
            found = markers_in(path, text)
            if found:
                markers[path] = found
            blinded = blind(text).encode("utf-8", "surrogateescape")
            if blinded != data:
                originals[target] = data
                target.write_bytes(blinded)
        yield markers
    finally:
        for target, data in originals.items():
            target.write_bytes(data)


def blind(text: str) -> str:
    """``text`` with the engines' suppression words in comments replaced by underscores."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        start = _COMMENT_START.search(line)
        if start is None or not _ENGINE_WORDS.search(line, start.start()):
            continue
        tail = _ENGINE_WORDS.sub(lambda match: "_" * len(match.group()), line[start.start():])
        lines[index] = line[:start.start()] + tail
    return "".join(lines)


def apply(findings: Sequence[Finding], markers: Mapping[str, list[Marker]], policy: Policy,
          changed: Mapping[str, Container[int]] | None) -> tuple[list[Finding],
                                                                 list[Suppressed]]:
    """(findings still reported, suppressions met); ``changed`` None means a full scan,
    where no marker counts as added by a pull request."""
    kept: list[Finding] = []
    met: list[Suppressed] = []
    for finding in findings:
        marker = next((marker for marker in markers.get(finding.path, ())
                       if marker.line in finding.lines and marker.covers(finding)), None)
        if marker is None:
            kept.append(finding)
            continue
        honoured = marker.honoured_under(policy)
        lines = changed.get(finding.path) if changed is not None else None
        added = lines is not None and marker.line in lines
        met.append(Suppressed(finding=finding, marker=marker, honoured=honoured,
                              added_in_pr=added))
        if not honoured:
            kept.append(finding)
    return kept, met
