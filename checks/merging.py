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
    order = {id(finding): index for index, finding in enumerate(findings)}
    # (position in ``findings``, finding) of each kept finding, most important first.
    kept: list[tuple[int, Finding]] = []
    # Only findings of one file and one CWE family can be one issue: comparing each finding
    # with those alone keeps a scan with thousands of findings linear in its files.
    by_issue: dict[tuple[str, str], list[int]] = {}
    for finding in sorted(findings, key=_rank, reverse=True):
        group = (by_issue.setdefault((finding.path, issue_key(finding.cwe)), [])
                 if finding.cwe else [])
        winner = next((slot for slot in group
                       if (kept[slot][1].engine, kept[slot][1].rule_id)
                       != (finding.engine, finding.rule_id)
                       and same_issue(finding, kept[slot][1])), None)
        if winner is None:
            group.append(len(kept))
            kept.append((order[id(finding)], finding))
        elif _can_lend_fix(finding, kept[winner][1]):
            # The more severe finding stays; "Apply fixes" can still offer this one's fix.
            position, other = kept[winner]
            kept[winner] = (position, dataclasses.replace(other, auto_fixable=True,
                                                          fix=finding.fix))
    return [finding for _, finding in sorted(kept, key=lambda item: item[0])]


def _can_lend_fix(finding: Finding, kept: Finding) -> bool:
    """A dropped duplicate's fix carries over when the kept finding has none and both cover
    the same lines (a fix replaces exactly its finding's lines)."""
    return (finding.auto_fixable and finding.fix is not None and not kept.auto_fixable
            and (finding.start_line, finding.end_line) == (kept.start_line, kept.end_line))
