"""The gate's rules as pure functions: config schema, suppression markers, Markdown escaping,
annotation grouping and the verdict with unscanned files (no database, no network)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from checks import markdown, repo_config, suppressions
from checks.findings import RawFinding, Severity, with_fingerprint
from checks.reporting import annotation_groups, annotations_for, conclusion_for
from checks.suppressions import Kind, Policy

DEFAULTS = repo_config.RepoConfig()


def finding(path="a.py", line=1, rule="B602", engine="bandit", severity=Severity.HIGH):
    return with_fingerprint(RawFinding(
        engine=engine, rule_id=rule, severity=severity, title="Shell", description="d",
        recommendation="r", path=path, start_line=line, end_line=line))


# --- .fortify.yml -------------------------------------------------------------------------

def test_valid_config_merges_over_the_defaults():
    config = repo_config.parse(
        "failure_threshold: medium\nexclude: [docs/**]\ndisable_rules: [B311]\n"
        "unscanned_files: failure\nsuppressions: forbid\nmax_annotations: 10\n",
        repo_config.RepoConfig(exclude=("vendor/**",)))
    assert config.failure_threshold is Severity.MEDIUM
    assert config.exclude == ("vendor/**", "docs/**")
    assert config.rule_disabled(finding(rule="b311"))
    assert (config.unscanned_files, config.suppressions, config.max_annotations) == (
        "failure", Policy.FORBID, 10)


def test_empty_config_is_the_defaults():
    assert repo_config.parse("", DEFAULTS) == DEFAULTS
    assert repo_config.parse("# only a comment\n", DEFAULTS) == DEFAULTS


@pytest.mark.parametrize(("text", "message"), [
    ("failure_threshold: [high\n", ".fortify.yml is not valid YAML at line 2, column 1 ("),
    ("failure_threshold: severe\n", "failure_threshold: 'severe' is not one of"),
    ("exclude: tests/**\n", "exclude: 'tests/**' is not of type 'array'"),
    ("version: 2\n", "version: 1 was expected"),
    ("max_annotations: 5000\n", "max_annotations: 5000 is greater than the maximum of 1000"),
    ("surprise: 1\n", "known keys: disable_rules, exclude"),
    (b"\xff\xfe", ".fortify.yml is not UTF-8 text"),
    (b"a" * (65 * 1024), ".fortify.yml is larger than 64 KB"),
    ("!!python/object/apply:os.system ['true']\n", "is not valid YAML"),
])
def test_each_bad_config_gets_a_clear_message(text, message):
    with pytest.raises(repo_config.InvalidConfig) as raised:
        repo_config.parse(text, DEFAULTS)
    assert message in str(raised.value)


def test_config_round_trips_through_the_scan_row():
    config = repo_config.parse("disable_rules: [X]\nsuppressions: require_reason\n", DEFAULTS)
    assert repo_config.RepoConfig.from_dict(config.as_dict()) == config


# --- suppression markers ------------------------------------------------------------------

def test_markers_of_every_kind_are_found_with_rules_and_reasons():
    text = ("a = 1  # nosec B602, B607 -- trusted\n"
            "b = 2  # nosec because reasons\n"
            "c = 3  // nosemgrep: js.eval -- constant\n"
            "# pragma: allowlist nextline secret\n"
            "d = 'AKIA...'\n"
            "e = 4  # fortify: ignore B602 -- reviewed by security\n")
    found = suppressions.markers_in("x.py", text)
    assert [(m.line, m.kind, m.rules, m.reason) for m in found] == [
        (1, Kind.NOSEC, ("B602", "B607"), "trusted"),
        (2, Kind.NOSEC, (), ""),
        (3, Kind.NOSEMGREP, ("js.eval",), "constant"),
        (5, Kind.ALLOWLIST, (), ""),
        (6, Kind.FORTIFY, ("B602",), "reviewed by security"),
    ]


def test_engines_never_see_markers_in_comments_and_code_is_untouched():
    text = "allowlist = ['a']  # nosec\nx = 1 // nosemgrep\n"
    blinded = suppressions.blind(text)
    assert blinded == "allowlist = ['a']  # _____\nx = 1 // _________\n"
    assert len(blinded) == len(text)


@pytest.mark.parametrize(("policy", "honoured"), [
    (Policy.ALLOW, {"bare", "reasoned"}), (Policy.REQUIRE_REASON, {"reasoned"}),
    (Policy.FORBID, set())])
def test_policy_decides_which_markers_are_honoured(policy, honoured):
    markers = {
        "bare.py": suppressions.markers_in("bare.py", "x  # nosec\n"),
        "reasoned.py": suppressions.markers_in(
            "reasoned.py", "x  # fortify: ignore B602 -- constant input\n"),
    }
    findings = [finding("bare.py"), finding("reasoned.py")]
    kept, met = suppressions.apply(findings, markers, policy, {"bare.py": {1},
                                                              "reasoned.py": {1}})
    assert {row.finding.path.removesuffix(".py") for row in met if row.honoured} == honoured
    assert len(kept) == 2 - len(honoured)
    assert all(row.added_in_pr for row in met)


def test_a_marker_covers_only_its_engine_and_rules():
    markers = {"a.py": suppressions.markers_in("a.py", "x  # nosec B101\n")}
    kept, met = suppressions.apply([finding(rule="B602")], markers, Policy.ALLOW, None)
    assert len(kept) == 1 and not met
    markers = {"a.py": suppressions.markers_in("a.py", "x  # nosemgrep\n")}
    kept, met = suppressions.apply([finding(engine="bandit")], markers, Policy.ALLOW, None)
    assert len(kept) == 1 and not met


# --- Markdown -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "[approved](https://evil.example)", "a`b``c```d", "<img src=x onerror=alert(1)>",
    "![x](http://t/p.png)", "line\n\n# heading", "**bold** _it_ ~~s~~ | table |",
    "&lt; &#x41;", "` leading", "trailing `", "https://auto.link.example",
])
def test_repository_text_renders_as_the_same_text(value):
    renderer = MarkdownIt("commonmark")
    for rendered in (markdown.text(value), markdown.code(value)):
        html = renderer.render(rendered)
        assert "<a " not in html and "<img" not in html and "<h1" not in html
        assert "<strong>" not in html and "<em>" not in html


# --- annotations and verdict --------------------------------------------------------------

def test_one_annotation_per_rule_per_line_and_one_per_noisy_rule_per_file():
    findings = [finding(line=1), finding(line=1, engine="semgrep"), finding(line=1)]
    findings += [finding("noisy.py", line=n) for n in range(1, 301)]
    groups = annotation_groups(findings)
    assert len(groups) == 3
    annotations = annotations_for(findings)
    noisy = next(a for a in annotations if a["path"] == "noisy.py")
    assert "(300 occurrences in this file)" in noisy["title"]
    assert noisy["start_line"] == 1 and "Also on lines: 2, 3" in noisy["message"]


def test_annotations_are_capped():
    findings = [finding(f"f{n}.py") for n in range(300)]
    assert len(annotations_for(findings, 200)) == 200
    assert annotations_for(findings, 0) == []


def test_unscanned_files_never_conclude_success():
    assert conclusion_for([], unscanned=1) == "neutral"
    assert conclusion_for([], unscanned=1, unscanned_conclusion="failure") == "failure"
    assert conclusion_for([Severity.HIGH], unscanned=1) == "failure"
    assert conclusion_for([Severity.LOW], unscanned=0) == "neutral"
    assert conclusion_for([]) == "success"


def test_engine_errors_that_mean_a_file_was_not_analysed_are_gaps():
    from pathlib import Path

    from checks import integrity

    with integrity.collecting() as gaps:
        integrity.report_engine_errors("bandit", Path("."), [
            {"filename": "./new.py", "reason": "syntax error while parsing AST from file"}])
        integrity.report_engine_errors("semgrep", Path("."), [
            {"level": "warn", "type": ["PartialParsing", []], "path": "partly.js"},
            {"level": "warn", "type": "Syntax error", "path": "broken.js"},
            {"level": "error", "type": "Timeout", "path": "slow.go"}])
    assert [(gap.path, gap.engine) for gap in gaps.items()] == [
        ("broken.js", "semgrep"), ("new.py", "bandit"), ("slow.go", "semgrep")]
    assert [gap.reason.value for gap in gaps.items()] == [
        "unparseable", "unparseable", "engine_timeout"]
