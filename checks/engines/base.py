"""What every engine shares: the protocol, typed errors and a careful subprocess runner.

Engines parse untrusted code, so tools run with a minimal environment (none of the service's
secrets), a private throwaway HOME, stdin closed, in their own process group so a timeout can
kill the whole tree.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from checks import integrity
from checks.findings import RawFinding
from checks.scratch import tool_group_started

logger = logging.getLogger(__name__)

#: Bytes of path arguments per tool invocation: far below ARG_MAX (2 MiB on Linux), so a
#: change of thousands of files is one invocation and each tool loads its rules once.
ARGV_PATH_BYTES = 256 * 1024
#: Longest snippet kept on a finding; the fingerprint uses the real lines, not the snippet.
MAX_SNIPPET_CHARS = 1000
#: prctl option: the signal this process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1
# Loaded before any fork: nothing but the prctl call runs between fork and exec.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


class EngineError(Exception):
    """An engine could not produce a trustworthy result; ``reason`` is safe to show."""

    def __init__(self, engine: str, reason: str) -> None:
        super().__init__(f"{engine}: {reason}")
        self.engine = engine
        self.reason = reason


class EngineTimeout(EngineError):
    """The tool ran past its time budget and was killed."""

    def __init__(self, engine: str, timeout: float) -> None:
        super().__init__(engine, f"timed out after {timeout:.3g}s")
        self.timeout = timeout


class ToolExitError(EngineError):
    """The tool exited with a status that means it did not finish its scan."""

    def __init__(self, engine: str, status: int) -> None:
        super().__init__(engine, f"exited with status {status}")
        self.status = status


@runtime_checkable
class Engine(Protocol):
    """A scanner the agent can run over files in a materialised workspace.

    Optional: ``cost_weight`` (CPU per byte relative to the others) and
    ``partition(paths)`` (groups worth a run of their own); ``checks.engine_jobs`` uses them
    to share a scan's work between cores.
    """

    name: str

    def version(self) -> str:
        """The tool's version, recorded with each scan."""
        ...

    def applies_to(self, path: str) -> bool:
        """Whether this engine should scan the repo-relative ``path``."""
        ...

    def run(self, workdir: Path, paths: list[str], timeout: float) -> list[RawFinding]:
        """Scan ``paths`` (repo-relative, inside ``workdir``) within ``timeout`` seconds."""
        ...


def find_tool(engine: str, executable: str) -> str:
    """The tool installed next to our interpreter (same venv), else on PATH."""
    sibling = Path(sys.executable).parent / executable
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling)
    found = shutil.which(executable)
    if found is None:
        raise EngineError(engine, f"{executable} is not installed")
    return found


def distribution_version(distribution: str) -> str:
    """Installed package version without starting the tool (semgrep takes seconds to start)."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def tool_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: the tools need a PATH and a HOME, not our credentials."""
    env = {
        "PATH": os.pathsep.join((str(Path(sys.executable).parent), os.defpath)),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    env.update(extra or {})
    return env


def run_tool(
    engine: str,
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    ok_codes: Sequence[int] = (0,),
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Run a tool and return its stdout; raise ``EngineError``/``EngineTimeout`` otherwise.

    The reason never includes stderr (it may quote scanned code); its first line is logged.
    """
    if timeout <= 0:
        raise EngineTimeout(engine, timeout)
    with tempfile.TemporaryDirectory(prefix=f"fortify-{engine}-home-") as home:
        try:
            process = subprocess.Popen(  # noqa: S603 - argv is built by us, never a shell
                list(argv),
                cwd=cwd,
                env=tool_env(Path(home), extra_env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as exc:
            raise EngineError(engine, "could not start the tool") from exc
        tool_group_started(process.pid)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise EngineTimeout(engine, timeout) from None
        finally:
            if process.poll() is None:
                _kill_group(process)
    if process.returncode not in ok_codes:
        logger.warning(
            "%s exited with status %s: %s",
            engine,
            process.returncode,
            _first_line(stderr.decode("utf-8", "replace")),
        )
        raise ToolExitError(engine, process.returncode)
    return stdout.decode("utf-8", "replace")


def _die_with_parent() -> None:
    """In the tool's process, before exec: die with the worker process that started it
    (Linux ``PR_SET_PDEATHSIG``), so a SIGKILLed worker leaves no scanner running."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the tool and everything it started, then reap it without waiting forever."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=5)
    except subprocess.TimeoutExpired:  # a grandchild left the group and holds the pipes
        process.kill()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        process.wait(timeout=5)


def _first_line(text: str, limit: int = 200) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def parse_json_object(engine: str, stdout: str) -> dict[str, Any]:
    """The tool's JSON report, or ``EngineError`` when it is not a JSON object."""
    try:
        data = json.loads(stdout)
    except ValueError:
        raise EngineError(engine, "malformed JSON output") from None
    if not isinstance(data, dict):
        raise EngineError(engine, "malformed JSON output")
    return data


def expect_list(engine: str, value: object) -> list[dict[str, Any]]:
    """A list of JSON objects from a tool report, or ``EngineError``."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise EngineError(engine, "malformed JSON output")
    return value


def as_target(path: str) -> str:
    """Command-line form of a repo path: ``./`` keeps a file named ``-x`` from being a flag."""
    return f"./{path}"


def repo_path(workdir: Path, reported: str) -> str | None:
    """Normalise a path a tool reported to repo-relative posix form; ``None`` if outside."""
    candidate = Path(reported)
    if candidate.is_absolute():
        for root in (workdir, workdir.resolve()):
            with contextlib.suppress(ValueError):
                candidate = candidate.relative_to(root)
                break
        else:
            return None
    normalised = os.path.normpath(candidate.as_posix()).replace(os.sep, "/")
    if normalised in (".", "") or normalised.startswith("../") or normalised == "..":
        return None
    return normalised


def chunks(paths: Sequence[str], max_bytes: int = ARGV_PATH_BYTES) -> Iterator[list[str]]:
    """``paths`` in command-line batches of at most ``max_bytes`` (at least one path each)."""
    batch: list[str] = []
    size = 0
    for path in paths:
        cost = len(os.fsencode(path)) + 3  # "./" and the terminating NUL
        if batch and size + cost > max_bytes:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += cost
    if batch:
        yield batch


class Deadline:
    """One time budget shared by the several invocations a large change needs."""

    def __init__(self, engine: str, timeout: float) -> None:
        self.engine = engine
        self.timeout = timeout
        self._ends_at = time.monotonic() + timeout

    def remaining(self) -> float:
        left = self._ends_at - time.monotonic()
        if left <= 0:
            raise EngineTimeout(self.engine, self.timeout)
        return left


class SourceLines:
    """Reads scanned files once, to quote the flagged lines (tools' own quotes vary)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._cache: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self._cache:
            try:
                text = (self.workdir / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._cache[path] = text.splitlines()
        return self._cache[path]

    def text(self, path: str, start_line: int, end_line: int) -> str:
        return "\n".join(self.lines(path)[start_line - 1 : end_line])

    def snippet(self, path: str, start_line: int, end_line: int) -> str:
        return self.text(path, start_line, end_line)[:MAX_SNIPPET_CHARS]


def first_sentence(text: str, limit: int = 120) -> str:
    """A short title from a tool's message: its first sentence, capitalised, clipped."""
    sentence = text.strip().split("\n", 1)[0]
    for stop in (". ", ".\t"):
        sentence = sentence.split(stop, 1)[0]
    sentence = sentence.rstrip(". ")
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence[:1].upper() + sentence[1:]


def findings_from_report(engine: str, report: dict[str, Any],
                         to_finding: Callable[[dict[str, Any]], RawFinding | None]
                         ) -> list[RawFinding]:
    """Bandit's and Semgrep's JSON share a shape: ``results`` to convert, and ``errors`` for
    files the tool could not read (not fatal: recorded as scan gaps, see ``checks.integrity``)."""
    if report.get("errors"):
        logger.info("%s skipped %d file(s) it could not analyse", engine, len(report["errors"]))
        # Tools are run on ``./path`` targets, so the paths they report are repo-relative.
        integrity.report_engine_errors(engine, Path("."), expect_list(engine, report["errors"]))
    return [finding for result in expect_list(engine, report.get("results", []))
            if (finding := to_finding(result)) is not None]
