"""Semgrep OSS with the ruleset kept in this repository, fully offline.

No registry rules (``p/...``, ``auto``): they need the network and change under us. Metrics
and the version check are off, and Semgrep's HOME is a throwaway directory. Scans run
Semgrep's OCaml command line (``--experimental``): the same findings as its Python front end
on our corpus and rule tests, for about three quarters of the CPU (``docs/detection.md``); it
reads our rule files once their YAML anchors are expanded (``checks.engines.rule_files``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from checks.classification import Confidence, cwe_id, hint_for, owasp_for
from checks.engines.base import (
    Deadline,
    EngineError,
    SourceLines,
    ToolExitError,
    as_target,
    chunks,
    distribution_version,
    find_tool,
    findings_from_report,
    first_sentence,
    parse_json_object,
    repo_path,
    run_tool,
)
from checks.engines.rule_files import plain_configs
from checks.findings import RawFinding, Severity

RULES_DIR = Path(__file__).resolve().parent.parent / "semgrep_rules"

#: File types our ruleset covers; other files are not worth Semgrep's start-up time.
SUFFIXES = frozenset(
    [".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".go", ".java", ".rb", ".py"]
)

#: The ruleset's files are named for the language they cover (``python.yml``,
#: ``taint/python.yml``): a scan loads only those of the languages it has files in, since
#: parsing every rule is most of Semgrep's time on a pull request.
LANGUAGE_OF_SUFFIX = {
    ".py": "python", ".go": "go", ".java": "java", ".rb": "ruby",
    **dict.fromkeys((".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"),
                    "javascript"),
}

def language_of(path: str) -> str:
    """The ruleset language of ``path`` (``""`` for a file no rule file is named for)."""
    return LANGUAGE_OF_SUFFIX.get(PurePosixPath(path).suffix.lower(), "")


#: Semgrep's own severities when a rule has no ``metadata.fortify_severity``.
_FALLBACK_SEVERITIES = {
    "ERROR": Severity.HIGH,
    "WARNING": Severity.MEDIUM,
    "INFO": Severity.LOW,
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}

#: Findings of these weaknesses quote a credential: their snippet is dropped.
SECRET_CWES = frozenset({"CWE-798", "CWE-259"})

#: OCAMLRUNPARAM: an 8 MB minor heap (``s``, in words) and a lazier major GC (``o``). Semgrep's
#: matching allocates short-lived values by the gigabyte; sampled with perf over the
#: 1,000-file tree, its OCaml GC took 16-19 % of its CPU with the defaults and 11-13 % with
#: these, for ~60 MB more memory per process (``docs/detection.md``).
_ENV = {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0",
        "OCAMLRUNPARAM": "s=1M,o=200"}

#: Semgrep's exit codes for a broken ruleset; named so the reason says what went wrong.
_CONFIG_EXIT_CODES = frozenset({4, 5, 7})


def semgrep_severity(extra: dict[str, Any]) -> Severity:
    """``metadata.fortify_severity`` if valid, else ERROR->HIGH, WARNING->MEDIUM, INFO->LOW."""
    metadata = extra.get("metadata") or {}
    declared = metadata.get("fortify_severity") if isinstance(metadata, dict) else None
    if isinstance(declared, str):
        try:
            return Severity.parse(declared)
        except ValueError:
            pass
    return _FALLBACK_SEVERITIES.get(str(extra.get("severity", "")).upper(), Severity.MEDIUM)


def line_replacement(data: bytes, start_offset: int, end_offset: int, fix: str) -> str:
    """Semgrep's fix replaces a byte range; we report whole replacement lines instead.

    GitHub suggestions and our fix PRs replace lines, so the untouched text before the match
    on its first line and after it on its last line is kept around the fix.
    """
    line_start = data.rfind(b"\n", 0, start_offset) + 1
    line_end = data.find(b"\n", end_offset)
    if line_end == -1:
        line_end = len(data)
    prefix = data[line_start:start_offset].decode("utf-8", "replace")
    suffix = data[end_offset:line_end].decode("utf-8", "replace").removesuffix("\r")
    return prefix + fix + suffix


class SemgrepEngine:
    """Runs ``semgrep scan`` with our rules on explicit files and parses its JSON report."""

    name = "semgrep"
    #: CPU per byte relative to detect-secrets (4.0 MB of code, one process per language:
    #: ~120 CPU-s against 11.4).
    cost_weight = 10.5

    def __init__(self, *, rules_dir: Path = RULES_DIR, executable: str | None = None) -> None:
        self.rules_dir = rules_dir
        self._executable = executable

    def version(self) -> str:
        return distribution_version("semgrep")

    def applies_to(self, path: str) -> bool:
        return PurePosixPath(path).suffix.lower() in SUFFIXES

    def partition(self, paths: list[str]) -> list[list[str]]:
        """One group per language: a run over one language's files loads only its rules."""
        by_language: dict[str, list[str]] = {}
        for path in paths:
            by_language.setdefault(language_of(path), []).append(path)
        return list(by_language.values())

    def configs_for(self, paths: list[str]) -> list[str]:
        """The rule files for the languages of ``paths``; the whole directory when it is not
        laid out by language (an operator's own ``SCAN_SEMGREP_RULES_DIR``)."""
        files = [path for path in sorted(self.rules_dir.rglob("*.y*ml"))
                 if "tests" not in path.relative_to(self.rules_dir).parts]
        known = set(LANGUAGE_OF_SUFFIX.values())
        if not files or any(path.stem not in known for path in files):
            return [str(self.rules_dir)]
        languages = {language_of(path) for path in paths}
        return [str(path) for path in files if path.stem in languages] or [str(self.rules_dir)]

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        if not self.rules_dir.is_dir():
            raise EngineError(self.name, "rules directory not found")
        executable = self._executable or find_tool(self.name, "semgrep")
        deadline = Deadline(self.name, timeout)
        source = SourceLines(workdir)
        findings: list[RawFinding] = []
        for chunk in chunks(paths):
            remaining = deadline.remaining()
            configs = [arg for config in plain_configs(self.configs_for(chunk))
                       for arg in ("--config", config)]
            argv = [
                executable,
                "scan",
                # The OCaml command line: Semgrep's Python front end spends about a quarter
                # of a scan's CPU around the same matching.
                "--experimental",
                *configs,
                "--json",
                "--metrics=off",
                "--disable-version-check",
                "--no-git-ignore",
                "--no-rewrite-rule-ids",
                # One thread: the agent runs several Semgrep processes at once instead
                # (``checks.engine_jobs``); its threads share a heap and lose time to its GC.
                "--jobs",
                "1",
                # Markers are hidden from the engines and judged by the team's policy
                # (``checks.suppressions``); Semgrep must never honour one on its own, and
                # skipping the check saves it re-reading lines for every match.
                "--disable-nosem",
                # Per rule and file; the whole run is bounded by ``remaining``.
                "--timeout",
                str(max(1, min(int(remaining), 30))),
                *(as_target(path) for path in chunk),
            ]
            try:
                stdout = run_tool(self.name, argv, cwd=workdir, timeout=remaining, extra_env=_ENV)
            except ToolExitError as exc:
                if exc.status in _CONFIG_EXIT_CODES:
                    raise EngineError(self.name, "invalid rule configuration") from exc
                raise
            # Unparsable targets and per-file timeouts are skipped, not fatal.
            findings += findings_from_report(
                self.name, parse_json_object(self.name, stdout),
                lambda result: self._finding(workdir, source, result))
        return findings

    def _finding(
        self, workdir: Path, source: SourceLines, result: dict[str, Any]
    ) -> RawFinding | None:
        path = repo_path(workdir, str(result.get("path", "")))
        start, end = result.get("start") or {}, result.get("end") or {}
        extra = result.get("extra") or {}
        start_line, end_line = int(start.get("line") or 0), int(end.get("line") or 0)
        if path is None or start_line < 1:
            return None
        end_line = max(start_line, end_line)
        metadata = extra.get("metadata") or {}
        message = " ".join(str(extra.get("message", "")).split())
        cwe = cwe_id(metadata.get("cwe"))
        fix = extra.get("fix")
        replacement = None
        if isinstance(fix, str):
            replacement = self._replacement(workdir, path, start, end, fix)
        return RawFinding(
            engine=self.name,
            rule_id=str(result.get("check_id", "")).rsplit(".", 1)[-1],
            severity=semgrep_severity(extra),
            title=first_sentence(message) or "Semgrep finding",
            description=message + (f" ({cwe})" if cwe else ""),
            recommendation=str(metadata.get("recommendation", "")).strip() or hint_for(cwe),
            path=path,
            start_line=start_line,
            end_line=end_line,
            # A hard-coded secret is never quoted back (detect-secrets masks its own).
            snippet="" if cwe in SECRET_CWES else source.snippet(path, start_line, end_line),
            auto_fixable=replacement is not None,
            fix=replacement,
            cwe=cwe,
            owasp=owasp_for(cwe, metadata.get("owasp")),
            confidence=Confidence.parse(metadata.get("confidence"), Confidence.HIGH).value,
        )

    @staticmethod
    def _replacement(
        workdir: Path, path: str, start: dict[str, Any], end: dict[str, Any], fix: str
    ) -> str | None:
        try:
            data = (workdir / path).read_bytes()
            return line_replacement(data, int(start["offset"]), int(end["offset"]), fix)
        except (OSError, KeyError, TypeError, ValueError):
            return None

