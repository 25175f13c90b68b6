"""The finding types every engine produces and every report consumes.

Plain frozen dataclasses, no Django: the scan agent (local now, remote later) and the reporting
code share them without touching the database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from fortify_github.scanning import Severity as Severity


@dataclass(frozen=True, kw_only=True)
class RawFinding:
    """One issue as an engine reported it, normalised to repo-relative posix paths.

    ``snippet`` is the flagged source text, already masked when it could hold a secret.
    ``fix`` is replacement text for lines ``start_line..end_line`` as a whole, set only when
    the engine offers a mechanical fix that is safe to apply. ``cwe`` (``"CWE-89"``),
    ``owasp`` and ``confidence`` classify the issue the same way for every engine
    (``checks.classification``); ``recommendation`` is the short fix hint.
    """

    engine: str
    rule_id: str
    severity: Severity
    title: str
    description: str
    recommendation: str
    path: str
    start_line: int
    end_line: int
    snippet: str = ""
    auto_fixable: bool = False
    fix: str | None = None
    cwe: str = ""
    owasp: str = ""
    confidence: str = "MEDIUM"

    def __post_init__(self) -> None:
        if self.start_line < 1 or self.end_line < self.start_line:
            raise ValueError(f"invalid line range {self.start_line}-{self.end_line}")
        if self.auto_fixable and self.fix is None:
            raise ValueError("an auto-fixable finding needs a fix")

    @property
    def lines(self) -> range:
        return range(self.start_line, self.end_line + 1)

    @property
    def stable_rule_id(self) -> str:
        """``bandit/B608``, ``fortify/python-sql-injection``: the id SARIF and the API use."""
        prefix = "fortify" if self.engine == "semgrep" else self.engine
        return f"{prefix}/{self.rule_id}"


@dataclass(frozen=True, kw_only=True)
class Finding(RawFinding):
    """A ``RawFinding`` with the fingerprint that identifies it across commits."""

    fingerprint: str


_WHITESPACE = re.compile(r"\s+")


def normalise_line_text(line_text: str) -> str:
    """Whitespace-insensitive form of the flagged lines: re-indenting keeps the fingerprint."""
    lines = (_WHITESPACE.sub(" ", line).strip() for line in line_text.splitlines())
    return "\n".join(line for line in lines if line)


def fingerprint(finding: RawFinding, line_text: str | None = None) -> str:
    """A stable id for "this issue in this code", independent of the line number.

    Hashes engine, rule, path and the normalised text of the flagged lines, so a finding keeps
    its fingerprint when lines are inserted above it. ``line_text`` should be the real source
    lines (the snippet may be masked); it defaults to the snippet.
    """
    text = normalise_line_text(finding.snippet if line_text is None else line_text)
    material = "\x1f".join((finding.engine, finding.rule_id, finding.path, text))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def with_fingerprint(finding: RawFinding, line_text: str | None = None) -> Finding:
    """Promote a raw finding to a ``Finding`` (idempotent for findings already promoted)."""
    if isinstance(finding, Finding):
        return finding
    fields = {name: getattr(finding, name) for name in RawFinding.__dataclass_fields__}
    return Finding(**fields, fingerprint=fingerprint(finding, line_text))


def sort_key(finding: RawFinding) -> tuple[int, str, int, int, str]:
    """Most severe first, then by file and position: the order reports list findings in."""
    return (
        -finding.severity.rank,
        finding.path,
        finding.start_line,
        finding.end_line,
        finding.rule_id,
    )
