"""The remote agent's protocol carries everything the gate relies on: files not scanned,
suppressions and the repository's own rules, so a remote scan can never pass what a built-in
one would hold back."""

from __future__ import annotations

from checks import agent_protocol
from checks.agent import ScanMode, ScanRequest, ScanResult
from checks.findings import Finding, Severity
from checks.integrity import Reason, Unscanned
from checks.suppressions import Kind, Marker, Policy, Suppressed


def _finding() -> Finding:
    return Finding(engine="semgrep", rule_id="python-sql-injection", severity=Severity.HIGH,
                   title="SQL injection", description="Tainted input reaches a query.",
                   recommendation="Use a parameterized query.", path="app/db.py",
                   start_line=3, end_line=3, fingerprint="f" * 64, cwe="CWE-89",
                   owasp="A03:2021 - Injection", confidence="HIGH")


def test_a_request_carries_disabled_rules_and_the_suppression_policy():
    request = ScanRequest(mode=ScanMode.PR_DIFF, repository="o/r", head_sha="a" * 40,
                          disabled_rules=frozenset({"b101"}), suppressions=Policy.FORBID)
    message = agent_protocol.request_to_json(request, scan_id="s1", token="t",
                                             api_url="http://127.0.0.1:1")
    back = agent_protocol.request_from_json(message)
    assert back.disabled_rules == frozenset({"b101"})
    assert back.suppressions is Policy.FORBID


def test_a_result_carries_unscanned_files_suppressions_and_classification():
    finding = _finding()
    suppressed = Suppressed(
        finding=finding, honoured=False, added_in_pr=True,
        marker=Marker(path="app/db.py", line=3, kind=Kind.NOSEC, rules=("B608",),
                      reason="trusted"))
    result = ScanResult(findings=(finding,), engine_versions={"semgrep": "1"},
                        duration_seconds=1.5, files_scanned=("app/db.py",),
                        mode=ScanMode.PR_DIFF, threshold=Severity.HIGH,
                        unscanned=(Unscanned(path="big.py", reason=Reason.TOO_LARGE),),
                        suppressed=(suppressed,))
    message = agent_protocol.result_to_json(result)
    agent_protocol.validate(message, "ScanResult")
    request = ScanRequest(mode=ScanMode.PR_DIFF)
    back = agent_protocol.result_from_json(message, request)
    assert back.unscanned == result.unscanned
    assert back.suppressed == result.suppressed
    assert back.findings[0].cwe == "CWE-89" and back.findings[0].confidence == "HIGH"
