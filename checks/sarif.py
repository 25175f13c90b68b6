"""A scan as a SARIF 2.1.0 log, so teams can keep it or upload it to GitHub code scanning.

The log follows what GitHub's code scanning reads: one run, ``tool.driver.rules`` with CWE
tags and a ``security-severity``, results with a ``%SRCROOT%``-relative location and a
``partialFingerprints`` entry (our fingerprint, stable across commits). ``validate_sarif``
checks a log against the SARIF 2.1.0 JSON schema shipped in ``checks/schemas``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from django.conf import settings

from checks.classification import category_for
from checks.finding_rows import scan_findings
from checks.findings import Finding, Severity
from checks.models import ScanJob

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "Fortify"
TOOL_URI = "https://github.com/apps/fortify"
FINGERPRINT_KEY = "fortifyFingerprint/v1"

_LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
           Severity.LOW: "note", Severity.INFO: "note"}
#: GitHub ranks code-scanning alerts by this CVSS-like score (>= 9 critical, >= 7 high...).
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.1"}
_PRECISION = {"HIGH": "high", "MEDIUM": "medium", "LOW": "low"}

Json = dict[str, Any]


class SarifInvalid(ValueError):
    """A log that does not validate; ``errors`` lists where and why (no source text)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} SARIF schema error(s): " + "; ".join(errors[:5]))
        self.errors = errors


def sarif_log(
    findings: Sequence[Finding],
    *,
    tool_version: str,
    engine_versions: Mapping[str, str] | None = None,
    repository_url: str = "",
    revision: str = "",
    branch: str = "",
    automation_id: str = "",
) -> Json:
    """The SARIF log for ``findings`` (one run, rules first-seen order)."""
    rules: list[Json] = []
    rule_index: dict[str, int] = {}
    results: list[Json] = []
    for finding in findings:
        rule_id = finding.stable_rule_id
        if rule_id not in rule_index:
            rule_index[rule_id] = len(rules)
            rules.append(_rule(finding))
        results.append(_result(finding, rule_index[rule_id]))
    run: Json = {
        "tool": {"driver": {
            "name": TOOL_NAME, "version": tool_version, "informationUri": TOOL_URI,
            "rules": rules,
            "properties": {"engines": dict(engine_versions or {})},
        }},
        "originalUriBaseIds": {"%SRCROOT%": {
            "description": {"text": "The root of the repository that was scanned."}}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if repository_url and revision:
        provenance: Json = {"repositoryUri": repository_url, "revisionId": revision}
        if branch:
            provenance["branch"] = branch
        run["versionControlProvenance"] = [provenance]
    if automation_id:
        run["automationDetails"] = {"id": automation_id}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _rule(finding: Finding) -> Json:
    tags = ["security"]
    if finding.cwe:
        tags.append(f"external/cwe/{finding.cwe.lower()}")
    if finding.owasp:
        tags.append(f"external/owasp/{finding.owasp.split(':', 1)[0].lower()}")
    rule: Json = {
        "id": finding.stable_rule_id,
        "name": category_for(finding.cwe).title().replace(" ", "").replace("-", ""),
        "shortDescription": {"text": finding.title or finding.rule_id},
        "fullDescription": {"text": finding.description or finding.title or finding.rule_id},
        "defaultConfiguration": {"level": _LEVELS[finding.severity]},
        "properties": {
            "tags": tags,
            "precision": _PRECISION.get(finding.confidence, "medium"),
            "security-severity": _SECURITY_SEVERITY[finding.severity],
        },
    }
    if finding.recommendation:
        rule["help"] = {"text": finding.recommendation}
    return rule


def _result(finding: Finding, index: int) -> Json:
    message = finding.description or finding.title
    if finding.recommendation:
        message += f" Fix: {finding.recommendation}"
    return {
        "ruleId": finding.stable_rule_id,
        "ruleIndex": index,
        "level": _LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(finding.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.start_line, "endLine": finding.end_line},
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {"severity": finding.severity.value, "confidence": finding.confidence,
                       "cwe": finding.cwe, "owasp": finding.owasp, "engine": finding.engine},
    }


def scan_sarif(scan: ScanJob, *, tool_version: str = "") -> Json:
    """The SARIF log of a stored scan."""
    repository = scan.repository
    return sarif_log(
        scan_findings(scan),
        tool_version=tool_version or _package_version(),
        engine_versions=scan.engine_versions or {},
        repository_url=f"{settings.GITHUB_WEB_URL.rstrip('/')}/{repository.full_name}",
        revision=scan.head_sha,
        branch=scan.head_branch,
        automation_id=f"fortify/{repository.full_name}/{scan.public_id}",
    )


@functools.cache
def _schema() -> Json:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_sarif(log: Json) -> None:
    """Raise ``SarifInvalid`` unless ``log`` validates against the SARIF 2.1.0 schema."""
    validator = jsonschema.Draft4Validator(_schema())
    errors = [f"{'/'.join(str(part) for part in error.absolute_path) or '(root)'}: "
              f"{error.message[:200]}" for error in validator.iter_errors(log)]
    if errors:
        raise SarifInvalid(errors)


def _package_version() -> str:
    import tomllib

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    except (OSError, KeyError, ValueError):
        return "unknown"
