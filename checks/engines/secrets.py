"""detect-secrets, for hard-coded credentials in any text file.

The tool reports only a SHA-1 of each secret, never its value; we keep it that way. Snippets
are masked before they leave this module, so no secret reaches a title, a description, the
database or GitHub.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path, PurePosixPath
from typing import Any

from checks.classification import owasp_for
from checks.engines.base import (
    Deadline,
    EngineError,
    SourceLines,
    as_target,
    chunks,
    distribution_version,
    expect_list,
    find_tool,
    parse_json_object,
    repo_path,
    run_tool,
)
from checks.findings import RawFinding, Severity

MASK = "[REDACTED]"

#: Keys that open a cloud account or decrypt traffic: CRITICAL, rotate now.
CRITICAL_TYPES = frozenset(
    {
        "Private Key",
        "AWS Access Key",
        "Azure Storage Account access key",
        "IBM Cloud IAM Key",
        "IBM COS HMAC Credentials",
        "SoftLayer Credentials",
    }
)
#: Heuristic detectors (entropy, keywords) with many false positives: MEDIUM.
MEDIUM_TYPES = frozenset(
    {"Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword"}
)
#: Not a credential at all, but worth a note.
LOW_TYPES = frozenset({"Public IP (ipv4)"})

#: Files detect-secrets cannot read meaningfully; skipped by extension.
BINARY_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".webp",
        ".tiff",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".7z",
        ".rar",
        ".jar",
        ".war",
        ".class",
        ".so",
        ".dylib",
        ".dll",
        ".exe",
        ".bin",
        ".o",
        ".a",
        ".pyc",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp3",
        ".mp4",
        ".mov",
        ".avi",
        ".wav",
        ".ogg",
        ".webm",
        ".sqlite",
        ".db",
    }
)

#: detect-secrets' command line with per-file plugin selection (same findings, less CPU).
PREFILTERED_CLI = Path(__file__).with_name("secrets_prefilter.py")

_TOKEN = re.compile(r"""[^\s"'`=:,;(){}\[\]<>]+""")
_QUOTED = re.compile(r"""(["'`])(.+?)\1""")
_SECRETISH = re.compile(r"[A-Za-z0-9+/_\-]{16,}={0,2}")
_PLAIN_WORD = re.compile(r"[a-z][a-z_.-]{0,23}")
KEYWORD_TYPE = "Secret Keyword"


def secret_severity(secret_type: str) -> Severity:
    """CRITICAL for private keys and cloud keys, MEDIUM for heuristics, LOW for IPs, else HIGH."""
    if secret_type in CRITICAL_TYPES:
        return Severity.CRITICAL
    if secret_type in MEDIUM_TYPES:
        return Severity.MEDIUM
    if secret_type in LOW_TYPES:
        return Severity.LOW
    return Severity.HIGH


def rule_slug(secret_type: str) -> str:
    """``AWS Access Key`` -> ``aws-access-key``: a stable, readable rule id."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-") or "secret"


def secret_value(line: str, hashed_secret: str) -> str | None:
    """The token on ``line`` whose SHA-1 is ``hashed_secret`` (all detect-secrets gives us)."""
    candidates = {match.group(2) for match in _QUOTED.finditer(line)}
    candidates |= {match.group(0) for match in _TOKEN.finditer(line)}
    for candidate in sorted(candidates, key=len, reverse=True):
        if hashlib.sha1(candidate.encode("utf-8")).hexdigest() == hashed_secret:  # noqa: S324
            return candidate
    return None


def looks_like_a_name(value: str | None) -> bool:
    """A keyword "secret" that is a plain word (``PASSWORD_FIELD = "password"``) names a
    field or setting; real credentials have digits, capitals or symbols, or are long."""
    return value is not None and bool(_PLAIN_WORD.fullmatch(value))


def mask_secret(line: str, hashed_secret: str) -> str:
    """The line with the secret replaced by ``[REDACTED]``.

    detect-secrets gives us the secret's SHA-1 only, so we find the token that hashes to it.
    When none does (multi-part secrets), every long token-like run is masked instead.
    """
    candidates = {match.group(2) for match in _QUOTED.finditer(line)}
    candidates |= {match.group(0) for match in _TOKEN.finditer(line)}
    for candidate in sorted(candidates, key=len, reverse=True):
        if hashlib.sha1(candidate.encode("utf-8")).hexdigest() == hashed_secret:  # noqa: S324
            return line.replace(candidate, MASK)
    return _SECRETISH.sub(MASK, line)


class DetectSecretsEngine:
    """Runs ``detect-secrets scan --all-files --no-verify`` on explicit files, offline."""

    name = "detect-secrets"
    #: The unit of ``cost_weight`` (``checks.engine_jobs``, per byte): ~2.8 ms of CPU per KB
    #: through ``secrets_prefilter`` (4.0 MB of code: 11.4 CPU-s).
    cost_weight = 1.0

    def __init__(self, *, executable: str | None = None) -> None:
        self._executable = executable

    def version(self) -> str:
        return distribution_version("detect-secrets")

    def applies_to(self, path: str) -> bool:
        return PurePosixPath(path).suffix.lower() not in BINARY_SUFFIXES

    def command(self) -> list[str]:
        """The command line to run: the given executable, else detect-secrets through
        ``secrets_prefilter`` when this interpreter has it, else the tool on PATH."""
        if self._executable:
            return [self._executable]
        if importlib.util.find_spec("detect_secrets") is not None:
            # -P: the script's folder is not put on sys.path, where our ``secrets`` module
            # would shadow the standard library's for anything the tool imports.
            return [sys.executable, "-P", str(PREFILTERED_CLI)]
        return [find_tool(self.name, "detect-secrets")]

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        command = self.command()
        deadline = Deadline(self.name, timeout)
        source = SourceLines(workdir)
        findings: list[RawFinding] = []
        for chunk in chunks(paths):
            # --no-verify: never call a provider's API with a secret found in a customer repo.
            argv = [*command, "scan", "--all-files", "--no-verify"]
            argv += [as_target(path) for path in chunk]
            stdout = run_tool(self.name, argv, cwd=workdir, timeout=deadline.remaining())
            results = parse_json_object(self.name, stdout).get("results", {})
            if not isinstance(results, dict):
                raise EngineError(self.name, "malformed JSON output")
            for filename, secrets in results.items():
                path = repo_path(workdir, str(filename))
                if path is None:
                    continue
                for secret in expect_list(self.name, secrets):
                    finding = self._finding(source, path, secret)
                    if finding is not None:
                        findings.append(finding)
        return findings

    def _finding(self, source: SourceLines, path: str, secret: dict[str, Any]) -> RawFinding | None:
        line = int(secret.get("line_number") or 0)
        if line < 1:
            return None
        secret_type = str(secret.get("type") or "Secret")
        text, hashed = source.text(path, line, line), str(secret.get("hashed_secret", ""))
        snippet = mask_secret(text, hashed)
        severity = secret_severity(secret_type)
        if secret_type == KEYWORD_TYPE and looks_like_a_name(secret_value(text, hashed)):
            severity = Severity.LOW
        return RawFinding(
            engine=self.name,
            rule_id=rule_slug(secret_type),
            severity=severity,
            title=f"Hard-coded secret: {secret_type}",
            description=(
                f"This line appears to contain a hard-coded credential ({secret_type}). Anyone "
                "who can read the repository, including its history, can use it. (CWE-798)"
            ),
            recommendation=(
                "Revoke and rotate the credential, then load it at runtime from a secret "
                "manager or the environment. Deleting the line does not remove it from git "
                "history."
            ),
            path=path,
            start_line=line,
            end_line=line,
            snippet=snippet[:1000],
            cwe="CWE-798",
            owasp=owasp_for("CWE-798"),
            confidence={Severity.CRITICAL: "HIGH", Severity.LOW: "LOW"}.get(severity, "MEDIUM"),
        )
