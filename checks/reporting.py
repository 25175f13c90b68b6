"""Findings -> GitHub check-run payloads (output, annotations, actions, conclusion).

Pure functions over finding values, so the task that talks to GitHub stays thin and every
GitHub limit is enforced (and tested) in one place. Limits from
https://docs.github.com/en/rest/checks/runs#update-a-check-run
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from checks import markdown
from checks.findings import RawFinding, Severity, sort_key
from checks.integrity import Unscanned
from fortify_github.github.client import (
    AnnotationLevel,
    CheckRunAction,
    CheckRunAnnotation,
    CheckRunOutput,
)

CHECK_NAME = "Fortify Security Scan"
ANNOTATIONS_PER_REQUEST = 50
MAX_ACTIONS = 3
MAX_OUTPUT_CHARS = 65535
MAX_ANNOTATION_TITLE = 255
#: GitHub caps annotation ``message``/``raw_details`` at 64 KB; we stay a little under.
MAX_ANNOTATION_BYTES = 64_000
MAX_ACTION_LABEL = 20
MAX_ACTION_DESCRIPTION = 40
MAX_ACTION_IDENTIFIER = 20
#: Annotations per run unless ``.fortify.yml`` says otherwise (``max_annotations``).
DEFAULT_MAX_ANNOTATIONS = 200
#: A rule firing more often than this in one file becomes one annotation and a count.
GROUP_AFTER = 5
#: Entries listed per section of the summary (unscanned files, suppressions).
MAX_LISTED = 50

ACTION_APPLY_FIXES = "apply_fixes"
ACTION_COMMIT_FIXES = "commit_fixes"
ACTION_RERUN_SCAN = "rerun_scan"
ACTION_VIEW_DASHBOARD = "view_dashboard"

FAILURE_TITLE = "Fortify could not complete the scan"
TIMED_OUT_TITLE = "Fortify scan timed out"

Conclusion = Literal["success", "neutral", "failure"]
# GitHub's shapes live with the client; reporting fills them in.
Annotation = CheckRunAnnotation


@dataclass(frozen=True, kw_only=True)
class SummaryFacts:
    """What the summary reports about one finished scan."""

    findings: Sequence[RawFinding]
    files_scanned: int
    duration_seconds: float
    scan_url: str | None = None
    threshold: Severity = Severity.HIGH
    #: True for PR scans, which report only the lines the PR changed.
    diff_only: bool = True
    #: Changed files an engine should have covered and did not.
    unscanned: Sequence[Unscanned] = ()
    #: Suppressions met (``Suppressed.as_dict()`` rows): those added by the PR are listed.
    suppressed: Sequence[dict] = ()
    #: Where the settings came from, an invalid-config message, notes (``RepoConfig``).
    config_source: str = ""
    config_error: str = ""
    config_notes: Sequence[str] = ()
    #: (annotations sent, annotation groups in all): the rest are summarized.
    annotations_shown: int | None = None
    annotation_groups: int = 0


_SEVERITY_LABELS = {
    Severity.CRITICAL: "critical",
    Severity.HIGH: "high-severity",
    Severity.MEDIUM: "medium-severity",
    Severity.LOW: "low-severity",
    Severity.INFO: "informational",
}
_LEVELS: dict[Severity, AnnotationLevel] = {
    Severity.CRITICAL: "failure",
    Severity.HIGH: "failure",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
_SAFE_REFERENCE = re.compile(r"[A-Za-z0-9._:-]{1,64}")

T = TypeVar("T")


def conclusion_for(
    findings_severities: Iterable[Severity], threshold: Severity = Severity.HIGH,
    *, unscanned: int = 0, unscanned_conclusion: str = "neutral",
) -> Conclusion:
    """failure if any finding is at/above ``threshold``, neutral if only below, else success.

    A scan that left changed files unscanned never concludes ``success``: it concludes
    ``unscanned_conclusion`` (``neutral`` by default, ``failure`` per ``.fortify.yml``).
    """
    severities = list(findings_severities)
    if any(severity.at_least(threshold) for severity in severities):
        return "failure"
    if unscanned:
        return "failure" if unscanned_conclusion == "failure" else "neutral"
    return "neutral" if severities else "success"


def title_for(findings: Sequence[RawFinding]) -> str:
    """E.g. "1 critical and 3 high-severity issues found (7 in total)"."""
    if not findings:
        return "No security issues found"
    counts = Counter(finding.severity for finding in findings)
    shown = [severity for severity in (Severity.CRITICAL, Severity.HIGH) if counts[severity]]
    if not shown:
        shown = [max(counts, key=lambda severity: severity.rank)]
    headline = sum(counts[severity] for severity in shown)
    parts = " and ".join(f"{counts[s]} {_SEVERITY_LABELS[s]}" for s in shown)
    title = f"{parts} {'issue' if headline == 1 else 'issues'} found"
    if len(findings) > headline:
        title += f" ({len(findings)} in total)"
    return clip(title, MAX_ANNOTATION_TITLE)


def full_title(facts: SummaryFacts) -> str:
    """The findings' title, led by what was not scanned and followed by what the PR
    suppressed: "2 changed files not scanned; No security issues found in the rest"."""
    added = [row for row in facts.suppressed if row.get("added_in_pr")]
    parts = []
    if facts.unscanned:
        files = {item.path for item in facts.unscanned}
        parts.append(f"{_plural(len(files), 'changed file')} not scanned")
    found = title_for(facts.findings)
    parts.append(found + (" in the rest" if facts.unscanned and not facts.findings else ""))
    if added:
        parts.append(f"{len(added)} suppressed in this pull request")
    return clip("; ".join(parts), MAX_ANNOTATION_TITLE)


def build_output(facts: SummaryFacts) -> CheckRunOutput:
    """Title, summary and full text report for a completed scan (annotations go separately)."""
    return {
        "title": full_title(facts),
        "summary": clip(_summary(facts), MAX_OUTPUT_CHARS),
        "text": _text_report(facts.findings, facts.scan_url),
    }


def _summary(facts: SummaryFacts) -> str:
    sections = [_findings_summary(facts), *_integrity_sections(facts)]
    if facts.scan_url:
        sections.append(f"[View the full report on Fortify]({facts.scan_url})")
    return "\n\n".join(section for section in sections if section)


def _integrity_sections(facts: SummaryFacts) -> list[str]:
    """Not scanned, suppressed in this PR, annotations left out, configuration."""
    sections = []
    if facts.unscanned:
        files = sorted({item.path for item in facts.unscanned})
        lines = [f"### Not scanned ({len(files)})", "",
                 "These changed files were not (fully) scanned, so this run cannot pass:"]
        for item in facts.unscanned[:MAX_LISTED]:
            engine = f" ({markdown.text(item.engine)})" if item.engine else ""
            lines.append(f"- {markdown.code(item.path)}: {item.reason.label}{engine}")
        if len(facts.unscanned) > MAX_LISTED:
            lines.append(f"- …and {len(facts.unscanned) - MAX_LISTED} more")
        sections.append("\n".join(lines))
    added = [row for row in facts.suppressed if row.get("added_in_pr")]
    if added:
        lines = [f"### Suppressed in this pull request ({len(added)})", ""]
        for row in added[:MAX_LISTED]:
            state = ("honoured" if row.get("honoured")
                     else "**not honoured** (the base branch's .fortify.yml does not allow it)")
            reason = f": {markdown.text(row['reason'])}" if row.get("reason") else ""
            location = f"{row['path']}:{row['line']}"
            lines.append(
                f"- {markdown.code(location)} "
                f"{markdown.code(str(row['rule_id']))} ({row['severity'].title()}) by "
                f"{markdown.code(str(row['marker']))}{reason}, {state}")
        if len(added) > MAX_LISTED:
            lines.append(f"- …and {len(added) - MAX_LISTED} more")
        sections.append("\n".join(lines))
    honoured = sum(1 for row in facts.suppressed if row.get("honoured"))
    if honoured:
        sections.append(f"- Findings suppressed by inline comments: {honoured}")
    if facts.annotations_shown is not None and facts.annotations_shown < \
            facts.annotation_groups:
        left = facts.annotation_groups - facts.annotations_shown
        sections.append(
            f"- Annotations: {facts.annotations_shown} of {facts.annotation_groups} shown; "
            f"the other {left} are listed below and on the scan page.")
    config = []
    if facts.config_error:
        config.append(f"- **.fortify.yml is invalid**: {markdown.text(facts.config_error)}. "
                      "This scan used the repository's default settings.")
    config += [f"- {markdown.text(note)}" for note in facts.config_notes]
    if facts.config_source and not facts.config_error:
        config.append(f"- Settings from {markdown.text(facts.config_source)}")
    if config:
        sections.append("\n".join(["### Configuration", "", *config]))
    return sections


def _findings_summary(facts: SummaryFacts) -> str:
    findings = facts.findings
    scope = "on the lines changed by this pull request" if facts.diff_only else "in this commit"
    files = {finding.path for finding in findings}
    if findings:
        lines = [
            f"**Fortify found {_plural(len(findings), 'security issue')} in "
            f"{_plural(len(files), 'file')}** {scope}.",
            "",
            "| Severity | Issues |",
            "| --- | ---: |",
        ]
        counts = Counter(finding.severity for finding in findings)
        lines += [f"| {s.value.title()} | {counts[s]} |" for s in Severity if counts[s]]
        blocking = sum(1 for finding in findings if finding.severity.at_least(facts.threshold))
        lines += [
            "",
            f"- At or above the failure threshold ({facts.threshold.value.title()}): {blocking}",
        ]
    else:
        lines = [f"**Fortify found no security issues** {scope}.", ""]
    lines += [
        f"- Files scanned: {facts.files_scanned}",
        f"- Scan duration: {format_duration(facts.duration_seconds)}",
    ]
    return "\n".join(lines)


def _text_report(findings: Sequence[RawFinding], scan_url: str | None) -> str:
    """Findings grouped by severity, cut at whole lines with a note when too long."""
    if not findings:
        return "No findings."
    blocks: list[tuple[str, bool]] = [("## Findings", False)]
    by_severity: dict[Severity, list[RawFinding]] = {}
    for finding in sorted(findings, key=sort_key):
        by_severity.setdefault(finding.severity, []).append(finding)
    for severity, group in by_severity.items():
        blocks.append((f"\n### {severity.value.title()} ({len(group)})", False))
        blocks += [(_finding_line(finding), True) for finding in group]
    return _fit(blocks, len(findings), scan_url)


def _finding_line(finding: RawFinding) -> str:
    location = f"{finding.path}:{finding.start_line}"
    if finding.end_line != finding.start_line:
        location += f"-{finding.end_line}"
    line = (
        f"- {code(location)} {escape_markdown(clip(finding.title, 200))} "
        f"({finding.cwe + ', ' if finding.cwe else ''}{finding.engine} {code(finding.rule_id)})"
    )
    return line + (" - auto-fix available" if finding.auto_fixable else "")


def _fit(blocks: list[tuple[str, bool]], total: int, scan_url: str | None) -> str:
    """Join blocks, stopping before the limit; the note says how many findings were left out."""
    reserve = len(_truncation_note(total, scan_url)) + 1
    kept: list[str] = []
    used = shown = 0
    for text, is_finding in blocks:
        if used + len(text) + 1 + reserve > MAX_OUTPUT_CHARS:
            kept.append(_truncation_note(total - shown, scan_url))
            break
        kept.append(text)
        used += len(text) + 1
        shown += is_finding
    return "\n".join(kept)


def _truncation_note(remaining: int, scan_url: str | None) -> str:
    where = f"[the scan page]({scan_url})" if scan_url else "the scan page"
    return f"\n…truncated: {remaining} more findings on {where}"


def annotation_groups(findings: Sequence[RawFinding]) -> list[list[RawFinding]]:
    """Findings grouped for annotation, most severe first: one group per rule per line, and
    one per rule per file when the rule fires more than ``GROUP_AFTER`` times in it."""
    per_line: dict[tuple[str, str, str, int], list[RawFinding]] = {}
    for finding in sorted(findings, key=sort_key):
        key = (finding.path, finding.engine, finding.rule_id, finding.start_line)
        per_line.setdefault(key, []).append(finding)
    per_file: dict[tuple[str, str, str], list[list[RawFinding]]] = {}
    for (path, engine, rule, _line), group in per_line.items():
        per_file.setdefault((path, engine, rule), []).append(group)
    groups: list[list[RawFinding]] = []
    for line_groups in per_file.values():
        if len(line_groups) > GROUP_AFTER:
            groups.append([finding for group in line_groups for finding in group])
        else:
            groups += line_groups
    return sorted(groups, key=lambda group: sort_key(group[0]))


def annotations_for(findings: Sequence[RawFinding],
                    limit: int | None = None) -> list[Annotation]:
    """One annotation per group (``annotation_groups``), at most ``limit``, most severe first
    (GitHub shows them in order). A group of several lines is annotated on its first line
    with the count and the other lines in the message."""
    annotations: list[Annotation] = []
    groups = annotation_groups(findings)
    for group in groups[:limit]:
        finding = group[0]
        message = finding.description.strip()
        if finding.recommendation.strip():
            message += f"\n\nRecommendation: {finding.recommendation.strip()}"
        message += f"\n\n{classification_line(finding)}"
        lines = sorted({other.start_line for other in group})
        title = f"{finding.severity.value.title()}: {finding.title}" + (
            f" ({finding.cwe})" if finding.cwe else "")
        if len(lines) > 1:
            title += f" ({len(group)} occurrences in this file)"
            message += ("\n\nAlso on lines: "
                        + ", ".join(str(line) for line in lines if line != finding.start_line))
        annotation: Annotation = {
            "path": finding.path,
            "start_line": finding.start_line,
            "end_line": finding.end_line,
            "annotation_level": _LEVELS[finding.severity],
            "title": clip(title, MAX_ANNOTATION_TITLE),
            "message": clip_bytes(message, MAX_ANNOTATION_BYTES),
        }
        if finding.fix is not None:
            annotation["raw_details"] = clip_bytes(
                f"Suggested replacement for lines {finding.start_line}-{finding.end_line}:\n"
                f"{finding.fix}",
                MAX_ANNOTATION_BYTES,
            )
        annotations.append(annotation)
    return annotations


def classification_line(finding: RawFinding) -> str:
    """E.g. "CWE-89 · A03:2021-Injection · confidence HIGH · rule fortify/python-sql-…"."""
    parts = [part for part in (finding.cwe, finding.owasp) if part]
    parts += [f"confidence {finding.confidence}", f"rule {finding.stable_rule_id}"]
    return " · ".join(parts)


def batches(items: Sequence[T], size: int = ANNOTATIONS_PER_REQUEST) -> list[list[T]]:
    """Consecutive slices of at most ``size`` (GitHub takes 50 annotations per request)."""
    if not 1 <= size <= ANNOTATIONS_PER_REQUEST:
        raise ValueError(f"batch size must be 1..{ANNOTATIONS_PER_REQUEST}")
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def outputs_with_annotations(
    output: CheckRunOutput, annotations: Sequence[Annotation]
) -> list[CheckRunOutput]:
    """One ``output`` per update request: GitHub needs title and summary in each of them,
    and appends the annotations of successive updates."""
    if not annotations:
        return [output]
    return [{**output, "annotations": batch} for batch in batches(annotations)]


def actions_for(auto_fixable_count: int, *, can_commit: bool = False) -> list[CheckRunAction]:
    """Buttons on the check run; the fix buttons only when there is something to fix.

    "Apply fixes" posts review suggestions (works everywhere, fork PRs included); "Commit
    fixes" (``can_commit``: contents:write and a head branch in the same repository) pushes
    them as one commit. GitHub allows three buttons, so with both fix buttons "View dashboard"
    gives way: the run's Details link leads to the same page.
    """
    actions: list[CheckRunAction] = []
    if auto_fixable_count > 0:
        fixes = _plural(auto_fixable_count, "fix")
        actions.append(_action("Apply fixes", f"Suggest {fixes} in a review",
                               ACTION_APPLY_FIXES))
        if can_commit:
            actions.append(_action("Commit fixes", f"Push {fixes} as one commit",
                                   ACTION_COMMIT_FIXES))
    actions.append(_action("Re-run scan", "Scan this commit again", ACTION_RERUN_SCAN))
    actions.append(_action("View dashboard", "Open this scan in Fortify", ACTION_VIEW_DASHBOARD))
    return actions[:MAX_ACTIONS]


def _action(label: str, description: str, identifier: str) -> CheckRunAction:
    return {
        "label": clip(label, MAX_ACTION_LABEL),
        "description": clip(description, MAX_ACTION_DESCRIPTION),
        "identifier": identifier[:MAX_ACTION_IDENTIFIER],
    }


def failure_output(reference_id: str) -> CheckRunOutput:
    """What users see when the scan broke: a reference for support, never error details."""
    # Anything but a plain id (say, an exception message passed by mistake) is not shown.
    reference = reference_id if _SAFE_REFERENCE.fullmatch(reference_id) else "unavailable"
    return {
        "title": FAILURE_TITLE,
        "summary": (
            "Fortify could not finish scanning this commit, so no results are reported and "
            "nothing was approved or blocked by this scan.\n\n"
            "Use Re-run to scan again, or push a new commit. If it keeps failing, contact "
            "Fortify support "
            f"with reference `{reference}`."
        ),
    }


def timed_out_output(reference_id: str) -> CheckRunOutput:
    """The sweeper's words for a scan that never finished (workers lost, GitHub down)."""
    reference = reference_id if _SAFE_REFERENCE.fullmatch(reference_id) else "unavailable"
    return {
        "title": TIMED_OUT_TITLE,
        "summary": (
            "Fortify could not finish scanning this commit in time, so no results are "
            "reported and nothing was approved or blocked by this scan.\n\n"
            "Push a new commit or re-run the check to scan again. If it keeps happening, "
            f"contact Fortify support with reference `{reference}`."
        ),
    }


def in_progress_output() -> CheckRunOutput:
    return {
        "title": "Scan in progress",
        "summary": "Fortify is scanning the changes in this pull request. Results will "
        "appear here when the scan completes.",
    }


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def clip(text: str, limit: int, marker: str = "…") -> str:
    """At most ``limit`` characters (code points, as GitHub counts), marked when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(marker), 0)] + marker[:limit]


def clip_bytes(text: str, limit: int, marker: str = "…") -> str:
    """At most ``limit`` UTF-8 bytes, never splitting a multi-byte character."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    room = limit - len(marker.encode("utf-8"))
    return encoded[:room].decode("utf-8", "ignore") + marker


def escape_markdown(text: str) -> str:
    """Repository text as literal Markdown (see ``checks.markdown``)."""
    return markdown.text(text)


def code(text: str) -> str:
    """Inline code no text can close early (paths may contain backticks)."""
    return markdown.code(text)


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}es" if noun.endswith(("s", "x")) else f"{count} {noun}s"
