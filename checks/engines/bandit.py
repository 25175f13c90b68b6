"""Bandit, for Python files."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from checks.classification import Confidence, bandit_cwe, hint_for, owasp_for
from checks.engines.base import (
    Deadline,
    SourceLines,
    as_target,
    chunks,
    distribution_version,
    find_tool,
    findings_from_report,
    first_sentence,
    parse_json_object,
    repo_path,
    run_tool,
)
from checks.findings import RawFinding, Severity

#: B101 (``assert`` used) fires on every test file and is not a vulnerability in a PR.
#: B401-B413 flag a mere ``import`` (subprocess, pickle, xml...): noise on the annotated
#: lines, while the calls that are dangerous have checks of their own (B3xx, B6xx).
SKIPPED_TESTS = ("B101", *(f"B4{number:02d}" for number in range(1, 14)))

#: Hard-coded password checks quote the password in their message; it is masked.
PASSWORD_TESTS = frozenset({"B105", "B106", "B107"})

_PYTHON_NAME = re.compile(r"python3\.(\d+)")

_SEVERITIES = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}


def bandit_severity(issue_severity: str, issue_confidence: str) -> Severity:
    """Bandit's severity, one step lower when Bandit itself has low confidence.

    ======== =========== ======== ===========
    severity HIGH conf.  MEDIUM   LOW conf.
    ======== =========== ======== ===========
    HIGH     HIGH        HIGH     MEDIUM
    MEDIUM   MEDIUM      MEDIUM   LOW
    LOW      LOW         LOW      INFO
    ======== =========== ======== ===========

    Bandit never yields CRITICAL: its checks are pattern heuristics, and CRITICAL is kept for
    leaked credentials and rules we wrote to be precise. Unknown values count as MEDIUM.
    """
    severity = _SEVERITIES.get(issue_severity.upper(), Severity.MEDIUM)
    if issue_confidence.upper() == "LOW":
        return severity.lowered()
    return severity


def newer_pythons() -> list[tuple[tuple[int, int], str]]:
    """Pythons on PATH newer than ours, newest first: Bandit parses with the ``ast`` of the
    interpreter it runs under, so a newer one reads newer syntax (``type X = ...``)."""
    found: dict[tuple[int, int], str] = {}
    for directory in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not directory or not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            match = _PYTHON_NAME.fullmatch(name)
            path = os.path.join(directory, name)
            if match and os.access(path, os.X_OK):
                version = (3, int(match.group(1)))
                if version > sys.version_info[:2]:
                    found.setdefault(version, path)
    return sorted(found.items(), reverse=True)


@functools.cache
def newest_python_with_bandit() -> str | None:
    """The newest Python on PATH, newer than ours, that can import Bandit; None if none."""
    for _, python in newer_pythons():
        try:
            probe = subprocess.run(  # noqa: S603 - a fixed argv, no shell
                [python, "-c", "import bandit"], capture_output=True, timeout=20, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return python
    return None


def configured_python() -> str:
    """``SCAN_BANDIT_PYTHON`` when Django settings are loaded (empty: choose automatically)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return str(settings.SCAN_BANDIT_PYTHON or "")
    except ImproperlyConfigured:  # settings not configured: plain library use
        return ""


class BanditEngine:
    """Runs ``bandit -f json -q`` on explicit files (never ``-r``, so no repo ``.bandit``).

    Bandit runs under ``python`` (as ``python -m bandit``) when given or configured
    (``SCAN_BANDIT_PYTHON``), else under the newest Python on PATH that has Bandit, else the
    ``bandit`` installed next to our interpreter. Files it still cannot parse are covered by
    the Semgrep ruleset, which parses current Python syntax.
    """

    name = "bandit"
    #: CPU per byte relative to detect-secrets (829 KB of Python: 4.7 CPU-s at 5.7 ms/KB).
    cost_weight = 2.0

    def __init__(self, *, executable: str | None = None, python: str | None = None) -> None:
        self._executable = executable
        self._python = python

    def command(self) -> list[str]:
        """The argv prefix that starts Bandit."""
        if self._executable:
            return [self._executable]
        python = self._python if self._python is not None else configured_python()
        python = python or newest_python_with_bandit() or ""
        if python:
            return [python, "-m", "bandit"]
        return [find_tool(self.name, "bandit")]

    def version(self) -> str:
        return distribution_version("bandit")

    def applies_to(self, path: str) -> bool:
        return path.endswith(".py")

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        command = self.command()
        deadline = Deadline(self.name, timeout)
        source = SourceLines(workdir)
        findings: list[RawFinding] = []
        for chunk in chunks(paths):
            # --ignore-nosec: markers are judged by the team's policy (checks.suppressions),
            # never by Bandit on its own.
            argv = [*command, "-f", "json", "-q", "--ignore-nosec", "-s", ",".join(SKIPPED_TESTS)]
            argv += [as_target(path) for path in chunk]
            # 0: no issues, 1: issues found; anything else is a failure.
            stdout = run_tool(
                self.name, argv, cwd=workdir, timeout=deadline.remaining(), ok_codes=(0, 1)
            )
            findings += findings_from_report(
                self.name, parse_json_object(self.name, stdout),
                lambda result: self._finding(workdir, source, result))
        return findings

    def _finding(
        self, workdir: Path, source: SourceLines, result: dict[str, Any]
    ) -> RawFinding | None:
        path = repo_path(workdir, str(result.get("filename", "")))
        start = int(result.get("line_number") or 0)
        if path is None or start < 1:
            return None
        line_range = [int(line) for line in result.get("line_range") or [start]]
        end = max([start, *line_range])
        test_id = str(result.get("test_id", "B000"))
        test_name = str(result.get("test_name", ""))
        issue_text = str(result.get("issue_text", "")).strip()
        snippet = source.snippet(path, start, end)
        if test_id in PASSWORD_TESTS:
            # Bandit quotes the password after the colon; a quote inside it would defeat
            # any pattern, so everything after the colon goes.
            issue_text = issue_text.split(":", 1)[0] + ": [REDACTED]"
            snippet = ""
        cwe = bandit_cwe(test_id, (result.get("issue_cwe") or {}).get("id"))
        description = issue_text + (f" ({cwe})" if cwe else "")
        more_info = str(result.get("more_info", "")).strip()
        recommendation = hint_for(cwe) or f"See Bandit's guidance for {test_id} {test_name}."
        if more_info:
            recommendation += f" Bandit {test_id}: {more_info}"
        return RawFinding(
            engine=self.name,
            rule_id=test_id,
            severity=bandit_severity(
                str(result.get("issue_severity", "")), str(result.get("issue_confidence", ""))
            ),
            title=first_sentence(issue_text) or test_name,
            description=description,
            recommendation=recommendation,
            path=path,
            start_line=start,
            end_line=end,
            snippet=snippet,
            cwe=cwe,
            owasp=owasp_for(cwe),
            confidence=Confidence.parse(result.get("issue_confidence")).value,
        )
