"""Finding values <-> ``checks.models.Finding`` rows, in one place for every field.

Kept apart from the scan services so a new finding field (CWE, confidence...) is stored and
read back by the same two functions.
"""

from __future__ import annotations

from checks.findings import Finding as FindingData
from checks.findings import Severity
from checks.models import Finding, ScanJob


def finding_row(scan: ScanJob, finding: FindingData) -> Finding:
    """An unsaved row for ``finding`` (for ``bulk_create``)."""
    return Finding(
        scan=scan, engine=finding.engine, rule_id=finding.rule_id,
        severity=finding.severity.value, title=finding.title[:255],
        description=finding.description, recommendation=finding.recommendation,
        path=finding.path, start_line=finding.start_line, end_line=finding.end_line,
        snippet=finding.snippet, fingerprint=finding.fingerprint,
        auto_fixable=finding.auto_fixable, fix=finding.fix or "",
        cwe=finding.cwe, owasp=finding.owasp[:64], confidence=finding.confidence)


def finding_data(row: Finding) -> FindingData:
    """The finding value a stored row holds (what reporting and SARIF consume)."""
    return FindingData(
        engine=row.engine, rule_id=row.rule_id, severity=Severity(row.severity),
        title=row.title, description=row.description, recommendation=row.recommendation,
        path=row.path, start_line=row.start_line, end_line=row.end_line, snippet=row.snippet,
        auto_fixable=row.auto_fixable, fix=row.fix if row.auto_fixable else None,
        fingerprint=row.fingerprint, cwe=row.cwe, owasp=row.owasp, confidence=row.confidence)


def scan_findings(scan: ScanJob) -> list[FindingData]:
    """A scan's stored findings, in the order they were saved."""
    return [finding_data(row) for row in scan.findings.order_by("pk")]
