"""The scan agent: files in, normalised findings out.

``ScanAgent`` is the seam: the builtin agent below scans in this process; a remote agent
can implement the same protocol later. Network access lives in a ``WorkspaceFetcher`` that
the caller plugs in, so everything here is pure file-system logic.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
import os
import tempfile
import time
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from checks import integrity, metrics, suppressions
from checks.diff import ChangedFile, changed_lines, filter_to_changed, scannable_paths
from checks.engine_jobs import ScanCancelled as ScanCancelled
from checks.engine_jobs import configured_workers, plan, run_jobs
from checks.engines import DetectSecretsEngine, Engine, EngineTimeout, default_engines
from checks.engines.bandit import PASSWORD_TESTS
from checks.engines.base import SourceLines
from checks.engines.semgrep import SECRET_CWES
from checks.findings import Finding, Severity, sort_key, with_fingerprint
from checks.fixes.fixers import with_fixes
from checks.integrity import Reason, Unscanned
from checks.merging import merge_engine_findings, same_issue
from checks.suppressions import Policy, Suppressed
from fortify_github.scanning import ScanMode as ScanMode

logger = logging.getLogger(__name__)

#: The engine whose findings are credentials (see ``one_secret_per_line``).
DETECT_SECRETS = DetectSecretsEngine.name

#: Whole-scan budget in seconds when the request does not set one.
DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True, kw_only=True)
class ScanRequest:
    """Everything an agent needs to scan one commit; the ids are for the fetcher."""

    mode: ScanMode
    changed_files: tuple[ChangedFile, ...] = ()
    threshold: Severity = Severity.HIGH
    #: fnmatch globs on repo paths (``*`` also crosses ``/``), e.g. ``tests/**``, ``*.min.js``.
    excluded: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    #: An already materialised checkout; the agent scans it in place and never deletes it.
    workspace: Path | None = None
    repository: str = ""
    head_sha: str = ""
    base_sha: str = ""
    installation_id: int | None = None
    pull_number: int | None = None
    #: Rule ids (lower case) the repository's ``.fortify.yml`` disables.
    disabled_rules: frozenset[str] = frozenset()
    #: How inline suppression comments are treated (``.fortify.yml`` ``suppressions``).
    suppressions: Policy = Policy.ALLOW


@dataclass(frozen=True, kw_only=True)
class ScanResult:
    findings: tuple[Finding, ...]
    engine_versions: Mapping[str, str]
    duration_seconds: float
    files_scanned: tuple[str, ...]
    mode: ScanMode
    threshold: Severity = Severity.HIGH
    skipped_paths: tuple[str, ...] = field(default=())
    #: Changed files an engine should have covered and did not (never silently dropped).
    unscanned: tuple[Unscanned, ...] = ()
    #: Findings an inline marker suppressed (or, when not honoured, tried to).
    suppressed: tuple[Suppressed, ...] = ()

    @property
    def severities(self) -> list[Severity]:
        return [finding.severity for finding in self.findings]

    @property
    def auto_fixable_count(self) -> int:
        return sum(1 for finding in self.findings if finding.auto_fixable)


class ScanAgent(Protocol):
    def scan(self, request: ScanRequest) -> ScanResult: ...


class WorkspaceFetcher(Protocol):
    """Writes the files to scan under ``into`` and returns their repo-relative paths.

    For ``pr_diff`` that is the PR's non-removed changed files at the head commit; for
    ``full`` the whole tree. Implemented by the GitHub layer (PR files API, blobs, tarball).
    """

    def materialise(self, request: ScanRequest, into: Path) -> Sequence[str]: ...


class BuiltinScanAgent:
    """Scans in this process: fetch into a private temp dir, scan, always clean up."""

    def __init__(
        self,
        fetcher: WorkspaceFetcher,
        *,
        engines: Sequence[Engine] | None = None,
        temp_root: Path | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.engines = engines
        self.temp_root = temp_root
        self.cancelled = cancelled

    def scan(self, request: ScanRequest) -> ScanResult:
        started = time.monotonic()
        with integrity.collecting():
            if request.workspace is not None:
                paths = _workspace_paths(request, request.workspace)
                return self._scan(request, request.workspace, paths, started)
            with tempfile.TemporaryDirectory(prefix="fortify-scan-",
                                             dir=self.temp_root) as tmp:
                workdir = Path(tmp) / "repo"
                workdir.mkdir()
                paths = list(self.fetcher.materialise(request, workdir))
                return self._scan(request, workdir, paths, started)

    def _scan(
        self, request: ScanRequest, workdir: Path, paths: Sequence[str], started: float
    ) -> ScanResult:
        result = scan_workspace(
            workdir,
            paths,
            mode=request.mode,
            changed_lines=changed_lines(request.changed_files),
            excluded=request.excluded,
            timeout=request.timeout - (time.monotonic() - started),
            engines=self.engines,
            threshold=request.threshold,
            cancelled=self.cancelled,
            disabled_rules=request.disabled_rules,
            suppression_policy=request.suppressions,
        )
        return dataclasses.replace(result, duration_seconds=time.monotonic() - started)


def scan_workspace(
    workdir: Path,
    paths: Iterable[str],
    *,
    mode: ScanMode,
    changed_lines: Mapping[str, Container[int]],
    excluded: Sequence[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    engines: Sequence[Engine] | None = None,
    threshold: Severity = Severity.HIGH,
    cancelled: Callable[[], bool] | None = None,
    disabled_rules: Container[str] = frozenset(),
    suppression_policy: Policy = Policy.ALLOW,
    jobs: int | None = None,
) -> ScanResult:
    """Run each applicable engine over ``paths`` in ``workdir`` and normalise the findings.

    In ``pr_diff`` mode only files with changed lines are scanned and only findings on those
    lines are kept. Excluded, unsafe (absolute, ``..``, symlinked) and missing paths are
    skipped. An engine that fails or times out does not stop the others: the files it was
    given are recorded as unscanned (``checks.integrity``), so a partial scan can never pass
    as a clean one. The engines' work runs as ``jobs`` tool processes at a time (default:
    ``SCAN_ENGINE_JOBS``, else one per CPU; see ``checks.engine_jobs``). ``cancelled`` is
    asked before each job starts, so an unwanted scan wastes only the jobs running.
    Suppression markers are hidden from the engines and applied here, under
    ``suppression_policy`` (``checks.suppressions``); ``disabled_rules`` are dropped.
    """
    started = time.monotonic()
    engines = list(default_engines() if engines is None else engines)
    with integrity.collecting() as gaps:
        candidates, skipped = _select_paths(workdir, paths, excluded)
        if mode is ScanMode.PR_DIFF:
            candidates = [path for path in candidates if changed_lines.get(path)]

        raw = []
        versions: dict[str, str] = {}
        scanned: set[str] = set()
        scanned_by: dict[str, set[str]] = {}
        with suppressions.engines_blind_to_markers(workdir, candidates) as markers:
            work = [(engine, targets) for engine in engines
                    if (targets := [path for path in candidates if engine.applies_to(path)])]
            workers = jobs or configured_workers()
            outcomes = run_jobs(plan(work, workers, size=_size_in(workdir)), workdir,
                                timeout=timeout - (time.monotonic() - started),
                                workers=workers, cancelled=cancelled)
            engine_seconds: dict[str, float] = {}
            for outcome in outcomes:
                engine, targets = outcome.job.engine, outcome.job.paths
                engine_seconds[engine.name] = engine_seconds.get(engine.name, 0.0) + \
                    outcome.seconds
                if outcome.error is not None:
                    reason = (Reason.ENGINE_TIMEOUT if isinstance(outcome.error, EngineTimeout)
                              else Reason.ENGINE_FAILED)
                    logger.warning("engine %s did not finish (%s): %d file(s) unscanned",
                                   engine.name, outcome.error.reason, len(targets))
                    for path in targets:
                        gaps.add(path, reason, engine.name)
                    continue
                raw += outcome.findings
                versions[engine.name] = engine.version()
                scanned.update(targets)
                scanned_by.setdefault(engine.name, set()).update(targets)
            for name, seconds in engine_seconds.items():
                metrics.ENGINE_SECONDS.labels(name).observe(seconds)

    source = SourceLines(workdir)
    unique: dict[tuple[str, int, int], Finding] = {}
    for finding in raw:
        if finding.path not in scanned:
            continue  # a tool reporting a file we did not ask about
        text = source.text(finding.path, finding.start_line, finding.end_line)
        promoted = with_fingerprint(finding, text)
        unique.setdefault((promoted.fingerprint, promoted.start_line, promoted.end_line), promoted)
    # Fixes first, so that of two engines' findings of one issue the fixable one can stay.
    findings = with_fixes(workdir, one_secret_per_line(list(unique.values())))
    if mode is ScanMode.PR_DIFF:
        findings = filter_to_changed(findings, changed_lines)
    # The repository's disabled rules and honoured markers silence the issue they name, not
    # only that engine's finding of it: the other engines' findings of it go too.
    disabled = [finding for finding in findings if _disabled(finding, disabled_rules)]
    findings = [finding for finding in findings if not _disabled(finding, disabled_rules)]
    findings, suppressed = suppressions.apply(
        findings, markers, suppression_policy,
        changed_lines if mode is ScanMode.PR_DIFF else None)
    silenced = disabled + [entry.finding for entry in suppressed if entry.honoured]
    findings = merge_engine_findings(
        [finding for finding in findings
         if not any(same_issue(finding, other) for other in silenced)], scanned_by)
    findings.sort(key=sort_key)
    unscanned = [gap for gap in gaps.items()
                 if not is_excluded(gap.path, excluded) and (
                     mode is ScanMode.FULL or gap.path in changed_lines)]
    logger.info(
        "scanned %d file(s) with %d engine(s): %d finding(s)",
        len(scanned),
        len(versions),
        len(findings),
    )
    return ScanResult(
        findings=tuple(findings),
        engine_versions=versions,
        duration_seconds=time.monotonic() - started,
        files_scanned=tuple(sorted(scanned)),
        mode=mode,
        threshold=threshold,
        skipped_paths=tuple(skipped),
        unscanned=tuple(unscanned),
        suppressed=tuple(suppressed),
    )


def _size_in(workdir: Path) -> Callable[[str], int]:
    """A file's size in bytes (at least 1), what an engine job's cost is reckoned in."""
    def size(path: str) -> int:
        try:
            return max((workdir / path).stat().st_size, 1)
        except OSError:
            return 1
    return size


def _disabled(finding: Finding, disabled_rules: Container[str]) -> bool:
    rule = finding.rule_id.lower()
    return rule in disabled_rules or rule.rsplit(".", 1)[-1] in disabled_rules


def is_secret(finding: Finding) -> bool:
    return finding.engine == DETECT_SECRETS or finding.cwe in SECRET_CWES or (
        finding.engine == "bandit" and finding.rule_id in PASSWORD_TESTS)


def one_secret_per_line(findings: list[Finding]) -> list[Finding]:
    """One credential on a line is one finding: detectors that agree (AWS key, high entropy,
    keyword, Bandit's password check) would otherwise annotate the same line three times.
    The most severe report stays, detect-secrets' first on a tie."""
    best: dict[tuple[str, int], Finding] = {}
    for finding in findings:
        if not is_secret(finding):
            continue
        key = (finding.path, finding.start_line)
        current = best.get(key)
        if current is None or (finding.severity.rank, finding.engine == DETECT_SECRETS) > (
                current.severity.rank, current.engine == DETECT_SECRETS):
            best[key] = finding
    kept = {id(finding) for finding in best.values()}
    return [finding for finding in findings if not is_secret(finding) or id(finding) in kept]


def is_excluded(path: str, patterns: Sequence[str]) -> bool:
    """fnmatch on the repo path; a leading ``**/`` also matches at the top level."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
            return True
    return False


def _select_paths(
    workdir: Path, paths: Iterable[str], excluded: Sequence[str]
) -> tuple[list[str], list[str]]:
    """(paths to scan, paths skipped): normalised, deduplicated, inside ``workdir``."""
    root = workdir.resolve()
    selected: list[str] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for raw_path in paths:
        path = repo_relative(raw_path)
        if path is None or is_excluded(path, excluded) or not _regular_file(root, path):
            skipped.append(raw_path)
            continue
        if path not in seen:
            seen.add(path)
            selected.append(path)
    return selected, skipped


def repo_relative(path: str) -> str | None:
    """``path`` as a clean repository-relative posix path, or None when it could escape
    the workspace (absolute, ``..``) or names nothing."""
    pure = PurePosixPath(path.replace("\\", "/"))
    parts = [part for part in pure.parts if part not in ("", ".")]
    if pure.is_absolute() or not parts or ".." in parts:
        return None
    return "/".join(parts)


def _regular_file(root: Path, path: str) -> bool:
    """A real file under ``root``: symlinks could point scanners at files outside the repo."""
    candidate = root / path
    if candidate.is_symlink() or not candidate.is_file():
        return False
    return candidate.resolve().is_relative_to(root)


def _workspace_paths(request: ScanRequest, workspace: Path) -> list[str]:
    """Paths in a caller-provided workspace: the PR's files, or the whole tree minus .git."""
    if request.mode is ScanMode.PR_DIFF:
        return scannable_paths(request.changed_files)
    found = []
    for directory, dirnames, filenames in os.walk(workspace):
        dirnames[:] = [name for name in dirnames if name != ".git"]
        relative = Path(directory).relative_to(workspace)
        found += [(relative / name).as_posix() for name in filenames]
    return sorted(found)
