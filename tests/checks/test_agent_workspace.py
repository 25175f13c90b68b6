"""The scan agent's workspace logic: temp dir lifecycle, path selection, diff filtering.

Lifecycle and selection use a fake engine (they are about the agent, not the tools); the
PR-diff and fingerprint tests run the real engines on real files.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest

from checks.agent import (
    BuiltinScanAgent,
    ScanMode,
    ScanRequest,
    is_excluded,
    scan_workspace,
)
from checks.diff import ChangedFile
from checks.engines import BanditEngine, EngineError, default_engines
from checks.findings import RawFinding, Severity
from checks.reporting import actions_for, annotations_for, conclusion_for


class FakeEngine:
    """Flags every line containing "BAD"; records what it was asked to scan."""

    name = "fake"

    def __init__(self, *, error: EngineError | None = None) -> None:
        self.error = error
        self.calls: list[list[str]] = []
        self.workdirs: list[Path] = []

    def version(self) -> str:
        return "0.1"

    def applies_to(self, path: str) -> bool:
        return not path.endswith(".png")

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        self.calls.append(list(paths))
        self.workdirs.append(workdir)
        assert workdir.is_dir()
        if self.error is not None:
            raise self.error
        findings = []
        for path in paths:
            lines = (workdir / path).read_text().splitlines()
            for number, line in enumerate(lines, start=1):
                if "BAD" in line:
                    findings.append(
                        RawFinding(
                            engine=self.name,
                            rule_id="bad",
                            severity=Severity.HIGH if "VERY" in line else Severity.LOW,
                            title="Bad line",
                            description="d",
                            recommendation="r",
                            path=path,
                            start_line=number,
                            end_line=number,
                            snippet=line,
                        )
                    )
        return findings


class FakeFetcher:
    """Writes the given files, like the GitHub fetcher will; remembers where."""

    def __init__(self, files: dict[str, str], *, error: Exception | None = None) -> None:
        self.files = files
        self.error = error
        self.into: Path | None = None

    def materialise(self, request: ScanRequest, into: Path) -> Sequence[str]:
        self.into = into
        for path, content in self.files.items():
            target = into / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(content))
        if self.error is not None:
            raise self.error
        return list(self.files)


def added(path: str, line_count: int) -> ChangedFile:
    hunk = f"@@ -0,0 +1,{line_count} @@\n" + "".join(f"+line {i}\n" for i in range(line_count))
    return ChangedFile(path=path, status="added", patch=hunk)


def request(mode: ScanMode = ScanMode.FULL, **overrides: object) -> ScanRequest:
    values: dict[str, object] = {"mode": mode, "timeout": 120}
    values.update(overrides)
    return ScanRequest(**values)  # type: ignore[arg-type]


# --- temp dir lifecycle -------------------------------------------------------------------


def test_temp_dir_is_removed_after_a_successful_scan(tmp_path: Path) -> None:
    fetcher = FakeFetcher({"a.txt": "ok\nBAD\n"})
    engine = FakeEngine()
    result = BuiltinScanAgent(fetcher, engines=[engine], temp_root=tmp_path).scan(request())
    assert [f.start_line for f in result.findings] == [2]
    assert fetcher.into is not None
    assert engine.workdirs == [fetcher.into]
    assert not fetcher.into.exists()
    assert list(tmp_path.iterdir()) == []


def test_engine_failure_leaves_its_files_unscanned_and_the_temp_dir_removed(
        tmp_path: Path) -> None:
    fetcher = FakeFetcher({"a.txt": "BAD\n"})
    engine = FakeEngine(error=EngineError("fake", "crashed"))
    agent = BuiltinScanAgent(fetcher, engines=[engine], temp_root=tmp_path)
    result = agent.scan(request())
    assert [(gap.path, gap.reason.value, gap.engine) for gap in result.unscanned] == [
        ("a.txt", "engine_failed", "fake")]
    assert result.findings == ()
    assert fetcher.into is not None and not fetcher.into.exists()
    assert list(tmp_path.iterdir()) == []


def test_temp_dir_is_removed_after_a_fetch_failure(tmp_path: Path) -> None:
    fetcher = FakeFetcher({"a.txt": "BAD\n"}, error=ConnectionError("GitHub is down"))
    agent = BuiltinScanAgent(fetcher, engines=[FakeEngine()], temp_root=tmp_path)
    with pytest.raises(ConnectionError):
        agent.scan(request())
    assert list(tmp_path.iterdir()) == []


def test_a_provided_workspace_is_scanned_in_place_and_kept(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("BAD\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("BAD\n")
    engine = FakeEngine()
    fetcher = FakeFetcher({})
    result = BuiltinScanAgent(fetcher, engines=[engine]).scan(request(workspace=tmp_path))
    assert fetcher.into is None
    assert engine.calls == [["src/a.txt"]]
    assert result.files_scanned == ("src/a.txt",)
    assert (tmp_path / "src" / "a.txt").exists()


# --- path selection -----------------------------------------------------------------------


def test_excluded_paths_are_dropped(tmp_path: Path) -> None:
    files = {
        "app/main.txt": "BAD\n",
        "tests/test_main.txt": "BAD\n",
        "vendor/lib/x.txt": "BAD\n",
        "fixtures/data.txt": "BAD\n",
        "app/fixtures/data.txt": "BAD\n",
        "static/app.min.js": "BAD\n",
    }
    engine = FakeEngine()
    excluded = ("tests/**", "vendor/**", "**/fixtures/**", "*.min.js")
    result = BuiltinScanAgent(FakeFetcher(files), engines=[engine]).scan(request(excluded=excluded))
    assert engine.calls == [["app/main.txt"]]
    assert [f.path for f in result.findings] == ["app/main.txt"]
    assert set(result.skipped_paths) == set(files) - {"app/main.txt"}


def test_is_excluded_semantics() -> None:
    assert is_excluded("tests/unit/test_a.py", ["tests/**"])
    assert is_excluded("docs/fixtures/a.json", ["**/fixtures/**"])
    assert is_excluded("fixtures/a.json", ["**/fixtures/**"])
    assert not is_excluded("src/tests.py", ["tests/**"])
    assert not is_excluded("Vendor/a.js", ["vendor/**"])  # git paths are case-sensitive


def test_unsafe_and_missing_paths_are_skipped(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("BAD secret outside the repo\n")
    workdir = tmp_path / "repo"
    workdir.mkdir()
    (workdir / "ok.txt").write_text("BAD\n")
    (workdir / "link.txt").symlink_to(outside)
    engine = FakeEngine()
    result = scan_workspace(
        workdir,
        ["ok.txt", "./ok.txt", "link.txt", "../outside.txt", str(outside), "missing.txt"],
        mode=ScanMode.FULL,
        changed_lines={},
        engines=[engine],
    )
    assert engine.calls == [["ok.txt"]]
    assert result.files_scanned == ("ok.txt",)
    assert len(result.skipped_paths) == 4


def test_engines_only_get_files_they_apply_to(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("BAD\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    engine = FakeEngine()
    scan_workspace(
        tmp_path, ["a.txt", "logo.png"], mode=ScanMode.FULL, changed_lines={}, engines=[engine]
    )
    assert engine.calls == [["a.txt"]]


# --- modes, ordering, budget --------------------------------------------------------------


FILES = {
    "old.txt": "BAD old\nfine\nVERY BAD new\n",
    "new.txt": "BAD\n",
}
OLD_PATCH = "@@ -1,2 +1,3 @@\n BAD old\n fine\n+VERY BAD new\n"


def test_pr_diff_mode_keeps_findings_on_changed_lines_only() -> None:
    changed = (ChangedFile(path="old.txt", patch=OLD_PATCH), added("new.txt", 1))
    result = BuiltinScanAgent(FakeFetcher(FILES), engines=[FakeEngine()]).scan(
        request(ScanMode.PR_DIFF, changed_files=changed)
    )
    assert [(f.path, f.start_line) for f in result.findings] == [
        ("old.txt", 3),
        ("new.txt", 1),
    ]


def test_full_mode_keeps_all_findings_sorted_by_severity_path_line() -> None:
    changed = (ChangedFile(path="old.txt", patch=OLD_PATCH),)
    result = BuiltinScanAgent(FakeFetcher(FILES), engines=[FakeEngine()]).scan(
        request(ScanMode.FULL, changed_files=changed)
    )
    assert [(f.severity, f.path, f.start_line) for f in result.findings] == [
        (Severity.HIGH, "old.txt", 3),
        (Severity.LOW, "new.txt", 1),
        (Severity.LOW, "old.txt", 1),
    ]
    assert all(len(f.fingerprint) == 64 for f in result.findings)
    assert result.engine_versions == {"fake": "0.1"}
    assert result.files_scanned == ("new.txt", "old.txt")


def test_pr_diff_mode_does_not_scan_files_without_changed_lines() -> None:
    engine = FakeEngine()
    changed = (ChangedFile(path="old.txt", status="renamed", patch=None,
                           previous_path="older.txt"), added("new.txt", 1))
    BuiltinScanAgent(FakeFetcher(FILES), engines=[engine]).scan(
        request(ScanMode.PR_DIFF, changed_files=changed)
    )
    assert engine.calls == [["new.txt"]]


def test_a_modified_file_whose_patch_github_left_out_is_scanned_whole() -> None:
    """A diff too large to render must not hide the code in it."""
    engine = FakeEngine()
    changed = (ChangedFile(path="old.txt", status="modified", patch=None), added("new.txt", 1))
    BuiltinScanAgent(FakeFetcher(FILES), engines=[engine]).scan(
        request(ScanMode.PR_DIFF, changed_files=changed)
    )
    assert engine.calls == [["old.txt", "new.txt"]]


def test_exhausted_budget_is_a_timeout_that_leaves_files_unscanned(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("BAD\n")
    result = scan_workspace(
        tmp_path,
        ["a.txt"],
        mode=ScanMode.FULL,
        changed_lines={},
        timeout=0,
        engines=[FakeEngine()],
    )
    assert [(gap.path, gap.reason.value) for gap in result.unscanned] == [
        ("a.txt", "engine_timeout")]


# --- real engines -------------------------------------------------------------------------

BEFORE = """\
import os
import subprocess


def legacy(cmd):
    os.system(cmd)


def handler(cmd):
    return cmd
"""

AFTER = """\
import os
import subprocess


def legacy(cmd):
    os.system(cmd)


def handler(cmd):
    subprocess.call(cmd, shell=True)
    subprocess.Popen(cmd, shell=True)
    return cmd
"""

AFTER_PATCH = "\n".join(
    [
        "@@ -7,4 +7,6 @@ def legacy(cmd):",
        " ",
        " ",
        " def handler(cmd):",
        "+    subprocess.call(cmd, shell=True)",
        "+    subprocess.Popen(cmd, shell=True)",
        "     return cmd",
    ]
)


def test_real_pr_scan_reports_only_the_new_vulnerable_lines() -> None:
    changed = (ChangedFile(path="app/views.py", status="modified", patch=AFTER_PATCH),)
    agent = BuiltinScanAgent(FakeFetcher({"app/views.py": AFTER}), engines=[BanditEngine()])
    result = agent.scan(request(ScanMode.PR_DIFF, changed_files=changed))
    assert [(f.rule_id, f.start_line) for f in result.findings] == [("B602", 10), ("B602", 11)]
    # The untouched os.system(cmd) on line 6 (B605) is pre-existing debt, not reported.
    full = agent.scan(request(ScanMode.FULL, changed_files=changed))
    assert ("B605", 6) in [(f.rule_id, f.start_line) for f in full.findings]


def test_fingerprint_survives_lines_inserted_above() -> None:
    shifted = "# a new comment\n# and another\n" + AFTER
    first = BuiltinScanAgent(FakeFetcher({"app/views.py": AFTER}), engines=[BanditEngine()])
    second = BuiltinScanAgent(FakeFetcher({"app/views.py": shifted}), engines=[BanditEngine()])
    before = {f.start_line: f.fingerprint for f in first.scan(request()).findings}
    after = {f.start_line: f.fingerprint for f in second.scan(request()).findings}
    assert before[10] == after[12]
    assert before[11] == after[13]
    assert before[10] != before[11]  # same rule, different code


def test_end_to_end_with_default_engines_feeds_reporting() -> None:
    aws_key = "AKIA" + "J7Q2" + "ZKXP" + "4WMR" + "T8NB"
    files = {
        "svc/main.go": (
            'package main\n\nimport "os/exec"\n\nfunc run(input string) {\n'
            '\texec.Command("sh", "-c", input).Run()\n}\n'
        ),
        "svc/settings.py": f'AWS_ACCESS_KEY_ID = "{aws_key}"\n',
        "svc/tls.go": (
            'package main\n\nimport "crypto/tls"\n\n'
            "var config = &tls.Config{InsecureSkipVerify: true}\n"
        ),
    }
    changed = tuple(added(path, content.count("\n")) for path, content in files.items())
    result = BuiltinScanAgent(FakeFetcher(files)).scan(
        request(ScanMode.PR_DIFF, changed_files=changed)
    )
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["go-exec-shell-command-injection"].path == "svc/main.go"
    assert by_rule["aws-access-key"].severity is Severity.CRITICAL
    assert by_rule["go-tls-insecure-skip-verify"].auto_fixable
    assert set(result.engine_versions) == {e.name for e in default_engines()}
    assert conclusion_for(result.severities) == "failure"
    assert actions_for(result.auto_fixable_count)[0]["identifier"] == "apply_fixes"
    for annotation in annotations_for(result.findings):
        assert aws_key not in str(annotation)
    for finding in result.findings:
        assert aws_key not in finding.snippet + finding.title + finding.description


def test_one_credential_on_a_line_is_one_finding_and_never_shows_its_value(tmp_path):
    """detect-secrets' AWS, entropy and keyword detectors and Bandit's password check all fire
    on this line; people see one finding, and nowhere the secret itself."""
    from checks.agent import ScanMode, scan_workspace

    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    (tmp_path / "settings.py").write_text(
        f'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nAWS_SECRET_ACCESS_KEY = "{secret}"\n')
    result = scan_workspace(tmp_path, ["settings.py"], mode=ScanMode.FULL, changed_lines={})

    lines = [finding.start_line for finding in result.findings]
    assert sorted(lines) == [1, 2], result.findings
    for finding in result.findings:
        for text in (finding.title, finding.description, finding.recommendation,
                     finding.snippet):
            assert secret not in text
            assert "AKIAIOSFODNN7EXAMPLE" not in text


def test_a_bare_import_is_not_a_finding(tmp_path):
    from checks.agent import ScanMode, scan_workspace

    (tmp_path / "tool.py").write_text("import pickle\nimport subprocess\n\nVERSION = 1\n")
    result = scan_workspace(tmp_path, ["tool.py"], mode=ScanMode.FULL, changed_lines={})
    assert result.findings == ()


def test_a_password_containing_a_quote_is_still_masked(tmp_path):
    from checks.agent import ScanMode, scan_workspace

    (tmp_path / "conf.py").write_text('password = "it\'s-Sup3rS3cret"\n')
    result = scan_workspace(tmp_path, ["conf.py"], mode=ScanMode.FULL, changed_lines={})
    assert result.findings
    for finding in result.findings:
        for text in (finding.title, finding.description, finding.snippet):
            assert "Sup3rS3cret" not in text


def test_a_scan_no_longer_wanted_stops_before_the_next_engine(tmp_path):
    from checks.agent import ScanCancelled, ScanMode, scan_workspace
    from checks.engines import BanditEngine, DetectSecretsEngine

    class Recording:
        """A real engine, recording that it ran."""

        def __init__(self, engine, runs):
            self.engine, self.runs, self.name = engine, runs, engine.name

        def version(self):
            return self.engine.version()

        def applies_to(self, path):
            return self.engine.applies_to(path)

        def run(self, workdir, paths, timeout):
            self.runs.append(self.name)
            return self.engine.run(workdir, paths, timeout)

    (tmp_path / "app.py").write_text("import subprocess\nsubprocess.call(x, shell=True)\n")
    runs: list[str] = []
    asked: list[int] = []

    def cancelled() -> bool:  # still wanted for the first engine, superseded after it
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(ScanCancelled):
        scan_workspace(tmp_path, ["app.py"], mode=ScanMode.FULL, changed_lines={},
                       engines=[Recording(DetectSecretsEngine(), runs),
                                Recording(BanditEngine(), runs)],
                       cancelled=cancelled)
    assert runs == ["detect-secrets"]
