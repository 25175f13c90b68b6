"""The remote scan agent's JSON protocol: one place that turns requests and results into
JSON and back, used by both sides (``checks.remote_agent`` and ``checks.agent_server``).

Documented in docs/scan-agent.md; the JSON Schema is docs/scan-agent.schema.json and both
sides validate what they receive against it. No Django here: the agent service runs without
the product's settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from checks.agent import ScanMode, ScanRequest, ScanResult
from checks.diff import ChangedFile
from checks.findings import Finding, Severity
from checks.integrity import Unscanned
from checks.suppressions import Kind, Marker, Policy, Suppressed

PROTOCOL_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "scan-agent.schema.json"

Json = dict[str, Any]


class ProtocolError(ValueError):
    """A message that does not follow the protocol; ``str()`` says where, never the data."""


@cache
def schema() -> Json:
    return json.loads(SCHEMA_PATH.read_text())


def validate(message: Any, definition: str) -> None:
    """Raise ``ProtocolError`` unless ``message`` is a valid ``definition`` (``$defs`` name)."""
    import jsonschema

    root = schema()
    validator = jsonschema.Draft202012Validator({"$ref": f"#/$defs/{definition}",
                                                 "$defs": root["$defs"]})
    error = jsonschema.exceptions.best_match(validator.iter_errors(message))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise ProtocolError(f"invalid {definition} at {where}: {error.validator} check failed")


def request_to_json(request: ScanRequest, *, scan_id: str, token: str, api_url: str) -> Json:
    return {
        "protocol": PROTOCOL_VERSION,
        "scan_id": scan_id,
        "repository": request.repository,
        "api_url": api_url,
        "token": token,
        "head_sha": request.head_sha,
        "base_sha": request.base_sha,
        "pull_number": request.pull_number,
        "mode": request.mode.value,
        "changed_files": [
            {"path": changed.path, "status": changed.status, "patch": changed.patch,
             "previous_path": changed.previous_path, "blob_sha": changed.blob_sha}
            for changed in request.changed_files
        ],
        "excluded": list(request.excluded),
        "threshold": request.threshold.value,
        "timeout_seconds": request.timeout,
        "disabled_rules": sorted(request.disabled_rules),
        "suppressions": request.suppressions.value,
    }


def request_from_json(message: Mapping[str, Any]) -> ScanRequest:
    validate(message, "ScanRequest")
    return ScanRequest(
        mode=ScanMode(message["mode"]),
        changed_files=tuple(
            ChangedFile(path=item["path"], status=item["status"], patch=item.get("patch"),
                        previous_path=item.get("previous_path"),
                        blob_sha=item.get("blob_sha") or "")
            for item in message["changed_files"]),
        threshold=Severity(message["threshold"]),
        excluded=tuple(message["excluded"]),
        timeout=float(message["timeout_seconds"]),
        repository=message["repository"],
        head_sha=message["head_sha"],
        base_sha=message.get("base_sha") or "",
        pull_number=message.get("pull_number"),
        disabled_rules=frozenset(message.get("disabled_rules") or ()),
        suppressions=Policy(message.get("suppressions") or Policy.ALLOW.value),
    )


FINDING_FIELDS = ("engine", "rule_id", "severity", "title", "description", "recommendation",
                  "path", "start_line", "end_line", "snippet", "auto_fixable", "fix",
                  "fingerprint", "cwe", "owasp", "confidence")


def finding_to_json(finding: Finding) -> Json:
    return {name: (getattr(finding, name).value if name == "severity"
                   else getattr(finding, name)) for name in FINDING_FIELDS}


def finding_from_json(item: Mapping[str, Any]) -> Finding:
    return Finding(**{**{name: item[name] for name in FINDING_FIELDS if name in item},
                      "severity": Severity(item["severity"])})


def suppressed_to_json(entry: Suppressed) -> Json:
    marker = entry.marker
    return {"finding": finding_to_json(entry.finding),
            "marker": {"path": marker.path, "line": marker.line, "kind": marker.kind.value,
                       "rules": list(marker.rules), "reason": marker.reason},
            "honoured": entry.honoured, "added_in_pr": entry.added_in_pr}


def suppressed_from_json(item: Mapping[str, Any]) -> Suppressed:
    marker = item["marker"]
    return Suppressed(
        finding=finding_from_json(item["finding"]),
        marker=Marker(path=marker["path"], line=marker["line"], kind=Kind(marker["kind"]),
                      rules=tuple(marker.get("rules") or ()), reason=marker.get("reason", "")),
        honoured=item["honoured"], added_in_pr=item["added_in_pr"])


def result_to_json(result: ScanResult) -> Json:
    return {
        "findings": [finding_to_json(finding) for finding in result.findings],
        "unscanned": [gap.as_dict() for gap in result.unscanned],
        "suppressed": [suppressed_to_json(entry) for entry in result.suppressed],
        "engine_versions": dict(result.engine_versions),
        "files_scanned": list(result.files_scanned),
        "skipped_paths": list(result.skipped_paths),
        "duration_seconds": result.duration_seconds,
    }


def result_from_json(message: Mapping[str, Any], request: ScanRequest) -> ScanResult:
    validate(message, "ScanResult")
    try:
        findings = tuple(finding_from_json(item) for item in message["findings"])
        unscanned = tuple(Unscanned.from_dict(item) for item in message.get("unscanned") or ())
        suppressed = tuple(suppressed_from_json(item)
                           for item in message.get("suppressed") or ())
    except (ValueError, KeyError) as error:  # e.g. end_line before start_line, a fix missing
        raise ProtocolError("invalid ScanResult: a finding is inconsistent") from error
    return ScanResult(
        findings=findings,
        engine_versions=dict(message["engine_versions"]),
        duration_seconds=float(message["duration_seconds"]),
        files_scanned=tuple(message["files_scanned"]),
        mode=request.mode,
        threshold=request.threshold,
        skipped_paths=tuple(message["skipped_paths"]),
        unscanned=unscanned,
        suppressed=suppressed,
    )
