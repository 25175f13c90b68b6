"""Check-run payloads stay inside GitHub's limits and say the right thing."""

from __future__ import annotations

import pytest

from checks.findings import RawFinding, Severity
from checks.reporting import (
    ANNOTATIONS_PER_REQUEST,
    CHECK_NAME,
    FAILURE_TITLE,
    MAX_ACTION_DESCRIPTION,
    MAX_ACTION_IDENTIFIER,
    MAX_ACTION_LABEL,
    MAX_ACTIONS,
    MAX_ANNOTATION_TITLE,
    MAX_OUTPUT_CHARS,
    SummaryFacts,
    actions_for,
    annotations_for,
    batches,
    build_output,
    clip,
    clip_bytes,
    conclusion_for,
    failure_output,
    in_progress_output,
    outputs_with_annotations,
    title_for,
)

SEVERITIES = list(Severity)


def make_finding(index: int, severity: Severity | None = None, **overrides: object) -> RawFinding:
    fields: dict[str, object] = {
        "engine": "semgrep",
        "rule_id": f"rule-{index % 7}",
        "severity": severity or SEVERITIES[index % len(SEVERITIES)],
        "title": f"Issue number {index}",
        "description": "Something unsafe happens here.",
        "recommendation": "Do the safe thing.",
        "path": f"src/module_{index % 9}.py",
        "start_line": index + 1,
        "end_line": index + 1,
    }
    fields.update(overrides)
    return RawFinding(**fields)  # type: ignore[arg-type]


def facts(findings: list[RawFinding], **overrides: object) -> SummaryFacts:
    values: dict[str, object] = {
        "findings": findings,
        "files_scanned": 12,
        "duration_seconds": 4.25,
        "scan_url": "https://app.fortify.dev/scans/42",
    }
    values.update(overrides)
    return SummaryFacts(**values)  # type: ignore[arg-type]


def test_check_name() -> None:
    assert CHECK_NAME == "Fortify Security Scan"


# --- conclusion ---------------------------------------------------------------------------


def test_conclusion_rules() -> None:
    assert conclusion_for([]) == "success"
    assert conclusion_for([Severity.MEDIUM, Severity.LOW]) == "neutral"
    assert conclusion_for([Severity.LOW, Severity.HIGH]) == "failure"
    assert conclusion_for([Severity.CRITICAL]) == "failure"
    assert conclusion_for([Severity.MEDIUM], threshold=Severity.MEDIUM) == "failure"
    assert conclusion_for([Severity.HIGH], threshold=Severity.CRITICAL) == "neutral"


# --- annotations --------------------------------------------------------------------------


def test_120_findings_are_all_delivered_in_batches_of_at_most_50() -> None:
    findings = [make_finding(i) for i in range(120)]
    annotations = annotations_for(findings)
    chunks = batches(annotations)
    assert [len(chunk) for chunk in chunks] == [50, 50, 20]
    delivered = [annotation for chunk in chunks for annotation in chunk]
    assert delivered == annotations
    assert {(a["path"], a["start_line"]) for a in delivered} == {
        (f.path, f.start_line) for f in findings
    }


def test_outputs_with_annotations_repeat_title_and_summary() -> None:
    findings = [make_finding(i) for i in range(120)]
    output = build_output(facts(findings))
    requests = outputs_with_annotations(output, annotations_for(findings))
    assert len(requests) == 3
    for request in requests:
        assert request["title"] == output["title"]
        assert request["summary"] == output["summary"]
        assert len(request["annotations"]) <= ANNOTATIONS_PER_REQUEST
    assert outputs_with_annotations(output, []) == [output]


def test_batch_size_cannot_exceed_github_limit() -> None:
    with pytest.raises(ValueError):
        batches([1, 2, 3], size=51)


def test_annotation_levels_and_messages() -> None:
    by_severity = {
        severity: annotations_for([make_finding(0, severity)])[0] for severity in Severity
    }
    assert by_severity[Severity.CRITICAL]["annotation_level"] == "failure"
    assert by_severity[Severity.HIGH]["annotation_level"] == "failure"
    assert by_severity[Severity.MEDIUM]["annotation_level"] == "warning"
    assert by_severity[Severity.LOW]["annotation_level"] == "notice"
    assert by_severity[Severity.INFO]["annotation_level"] == "notice"
    annotation = by_severity[Severity.HIGH]
    assert annotation["title"] == "High: Issue number 0"
    assert "Something unsafe happens here." in annotation["message"]
    assert "Recommendation: Do the safe thing." in annotation["message"]
    assert "raw_details" not in annotation


def test_annotations_are_sorted_most_severe_first() -> None:
    findings = [make_finding(0, Severity.LOW), make_finding(1, Severity.CRITICAL)]
    levels = [a["annotation_level"] for a in annotations_for(findings)]
    assert levels == ["failure", "notice"]


def test_multi_line_annotation_has_no_columns_and_long_title_is_clipped() -> None:
    finding = make_finding(3, start_line=10, end_line=14, title="x" * 1000)
    annotation = annotations_for([finding])[0]
    assert (annotation["start_line"], annotation["end_line"]) == (10, 14)
    assert "start_column" not in annotation
    assert "end_column" not in annotation
    assert len(annotation["title"]) <= MAX_ANNOTATION_TITLE


def test_fix_goes_to_raw_details() -> None:
    finding = make_finding(1, auto_fixable=True, fix='md = MessageDigest.getInstance("SHA-256");')
    annotation = annotations_for([finding])[0]
    assert 'getInstance("SHA-256")' in annotation["raw_details"]


def test_huge_message_is_clipped_by_bytes_without_splitting_characters() -> None:
    finding = make_finding(1, description="é" * 100_000)
    message = annotations_for([finding])[0]["message"]
    assert len(message.encode("utf-8")) <= 64_000
    message.encode("utf-8").decode("utf-8")  # still valid UTF-8


# --- output -------------------------------------------------------------------------------


def test_no_findings_output() -> None:
    output = build_output(facts([]))
    assert output["title"] == "No security issues found"
    assert "no security issues" in output["summary"]
    assert "Files scanned: 12" in output["summary"]
    assert "4.2 s" in output["summary"]
    assert "https://app.fortify.dev/scans/42" in output["summary"]


def test_titles() -> None:
    assert title_for([make_finding(i, Severity.HIGH) for i in range(3)]) == (
        "3 high-severity issues found"
    )
    assert title_for([make_finding(0, Severity.CRITICAL)]) == "1 critical issue found"
    mixed = [
        make_finding(0, Severity.CRITICAL),
        make_finding(1, Severity.HIGH),
        make_finding(2, Severity.HIGH),
        make_finding(3, Severity.LOW),
    ]
    assert title_for(mixed) == "1 critical and 2 high-severity issues found (4 in total)"
    assert title_for([make_finding(i, Severity.MEDIUM) for i in range(2)]) == (
        "2 medium-severity issues found"
    )


def test_summary_counts_by_severity_and_files() -> None:
    findings = [
        make_finding(0, Severity.CRITICAL, path="a.py"),
        make_finding(1, Severity.HIGH, path="a.py"),
        make_finding(2, Severity.LOW, path="b.js"),
    ]
    output = build_output(facts(findings))
    summary = output["summary"]
    assert "3 security issues in 2 files" in summary
    assert "| Critical | 1 |" in summary
    assert "| High | 1 |" in summary
    assert "| Low | 1 |" in summary
    assert "Medium" not in summary
    assert "(High): 2" in summary
    assert "[View the full report on Fortify](https://app.fortify.dev/scans/42)" in summary
    text = output["text"]
    assert text.index("### Critical (1)") < text.index("### High (1)") < text.index("### Low")
    assert "`a.py:1`" in text
    assert "`rule-0`" in text


def test_everything_fits_github_limits_with_many_findings() -> None:
    findings = [make_finding(i, title="A rather long finding title " * 6) for i in range(3000)]
    output = build_output(facts(findings))
    assert len(output["title"]) <= MAX_ANNOTATION_TITLE
    assert len(output["summary"]) <= MAX_OUTPUT_CHARS
    text = output["text"]
    assert len(text) <= MAX_OUTPUT_CHARS
    shown = text.count("\n- `")
    assert text.rstrip().endswith(
        f"…truncated: {3000 - shown} more findings on "
        "[the scan page](https://app.fortify.dev/scans/42)"
    )
    assert 0 < shown < 3000


def test_short_report_is_not_truncated() -> None:
    text = build_output(facts([make_finding(i) for i in range(120)]))["text"]
    assert "truncated" not in text
    assert text.count("\n- `") == 120


def test_clip_never_exceeds_limit_or_splits_characters() -> None:
    assert clip("abc", 5) == "abc"
    assert clip("😀" * 10, 4) == "😀😀😀…"
    assert len(clip("x" * 100, 10)) == 10
    assert clip_bytes("é" * 10, 5) == "é…"  # 2 bytes + 3-byte ellipsis


# --- actions and fixed outputs ------------------------------------------------------------


@pytest.mark.parametrize("fixable", [0, 1, 7, 123456])
def test_actions_within_limits(fixable: int) -> None:
    actions = actions_for(fixable)
    assert len(actions) <= MAX_ACTIONS
    for action in actions:
        assert len(action["label"]) <= MAX_ACTION_LABEL
        assert len(action["description"]) <= MAX_ACTION_DESCRIPTION
        assert len(action["identifier"]) <= MAX_ACTION_IDENTIFIER
    identifiers = [action["identifier"] for action in actions]
    assert ("apply_fixes" in identifiers) == (fixable > 0)
    assert "rerun_scan" in identifiers
    assert "view_dashboard" in identifiers


def test_failure_output_has_reference_and_no_error_details() -> None:
    output = failure_output("scan-7f3a9c")
    assert output["title"] == FAILURE_TITLE
    assert "scan-7f3a9c" in output["summary"]
    assert "text" not in output
    mistaken = failure_output("Traceback (most recent call last): KeyError('ghs_token')")
    assert "Traceback" not in mistaken["summary"]
    assert "ghs_token" not in mistaken["summary"]
    assert "`unavailable`" in mistaken["summary"]


def test_in_progress_output() -> None:
    output = in_progress_output()
    assert output["title"] == "Scan in progress"
    assert output["summary"]
