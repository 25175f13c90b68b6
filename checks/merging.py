"""One finding per issue, at the severity its exploitability deserves, whichever engines saw it.

Bandit and our Semgrep rules overlap on purpose (Semgrep also covers files Bandit cannot
parse). When both report the same weakness on the same lines, one finding stays. Bandit's
injection tests look at the sink only; where our taint rules scanned the file and found no
input reaching that sink, Bandit's match is kept but lowered to LOW. Its weak-hash tests flag
every MD5/SHA-1 call; where our weak-hash rule scanned the file and judged the use harmless
(an ETag, a cache key), Bandit's match is lowered the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from checks.classification import BANDIT_DECIDED_BY_USE, BANDIT_SINK_ONLY, Confidence
from checks.findings import Finding, Severity

SEMGREP = "semgrep"
BANDIT = "bandit"

#: CWEs that name the same issue as far as one annotation is concerned.
_SAME_ISSUE = {"CWE-94": "CWE-95", "CWE-328": "CWE-327", "CWE-338": "CWE-330",
               "CWE-259": "CWE-798", "CWE-1004": "CWE-614"}

_UNCONFIRMED = (" No input from outside this function was seen reaching it, so it is "
                "reported as LOW.")
_NOT_A_SECURITY_USE = (" The digest is used as an identifier (an ETag or a cache key), not "
                       "to protect anything, so it is reported as LOW.")


def issue_key(cwe: str) -> str:
    return _SAME_ISSUE.get(cwe, cwe)


def merge_engine_findings(
    findings: Sequence[Finding], scanned_by: Mapping[str, set[str]]
) -> list[Finding]:
    """Lower unconfirmed sink-only Bandit findings, then keep one finding per issue.

    Findings of one issue (same file, same CWE family, overlapping lines) from different
    engines or rules collapse into the most severe one; on a tie one with a fix, then the most
    confident, then ours.
    """
    semgrep_files = scanned_by.get(SEMGREP, set())
    confirmed = {(f.path, issue_key(f.cwe), line) for f in findings
                 if f.engine == SEMGREP and f.cwe for line in f.lines}
    adjusted = []
    for finding in findings:
        reason = (_UNCONFIRMED if finding.rule_id in BANDIT_SINK_ONLY else
                  _NOT_A_SECURITY_USE if finding.rule_id in BANDIT_DECIDED_BY_USE else "")
        if (finding.engine == BANDIT and reason and finding.path in semgrep_files
                and not any((finding.path, issue_key(finding.cwe), line) in confirmed
                            for line in finding.lines)):
            finding = dataclasses.replace(
                finding, severity=Severity.LOW, confidence=Confidence.LOW.value,
                description=finding.description + reason)
        adjusted.append(finding)
    return _one_per_issue(adjusted)


def _rank(finding: Finding) -> tuple[int, bool, int, bool]:
    """Most severe first; of equally severe findings of one issue, one that carries a fix
    (so the run can still offer it), then the most confident, then ours."""
    return (finding.severity.rank, finding.auto_fixable,
            Confidence.parse(finding.confidence).rank, finding.engine == SEMGREP)


def same_issue(finding: Finding, other: Finding) -> bool:
    """Two findings of one weakness: same file, same CWE family, overlapping lines."""
    return (finding.path == other.path and bool(finding.cwe) and bool(other.cwe)
            and issue_key(finding.cwe) == issue_key(other.cwe)
            and other.start_line <= finding.end_line and finding.start_line <= other.end_line)


def _one_per_issue(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    # Only findings of one file and one CWE family can be one issue: comparing each finding
    # with those alone keeps a scan with thousands of findings linear in its files.
    by_issue: dict[tuple[str, str], list[Finding]] = {}
    for finding in sorted(findings, key=_rank, reverse=True):
        group = (by_issue.setdefault((finding.path, issue_key(finding.cwe)), [])
                 if finding.cwe else [])
        if any((other.engine, other.rule_id) != (finding.engine, finding.rule_id)
               and same_issue(finding, other) for other in group):
            continue
        kept.append(finding)
        group.append(finding)
    order = {id(finding): index for index, finding in enumerate(findings)}
    return sorted(kept, key=lambda finding: order[id(finding)])
