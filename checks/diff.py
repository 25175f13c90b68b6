"""Which lines a pull request added or changed, from GitHub's per-file ``patch`` field.

A PR scan reports only findings on those lines: issues that were already there are not the
author's, and flagging them would make every PR fail on old debt.

Rules for files (GitHub's PR-files API ``status``):

* ``removed`` files are not scanned and are absent from the result.
* A file with a ``patch`` is parsed with ``unidiff``; a line counts when it is an added
  (``+``) line in the new file. A changed line appears as ``-``/``+`` and so counts; deleted
  lines have no new-file line and never count.
* GitHub omits ``patch`` for large or binary diffs. The caller should first try the compare
  API; if the patch is still missing, the file counts as changed on every line: we cannot
  tell which lines are the author's, and a gate must not let a pull request hide new code
  behind a diff too large to render (old debt in that file is reported too: the safe side).
  Only a pure rename (``renamed``, no patch: the content did not change) counts on none. An
  unparsable patch is treated the same way as a missing one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from unidiff import PatchSet
from unidiff.errors import UnidiffParseError

from checks.findings import RawFinding

logger = logging.getLogger(__name__)

#: GitHub's ``status`` values for a PR file.
ADDED, MODIFIED, RENAMED, REMOVED, COPIED, CHANGED, UNCHANGED = (
    "added",
    "modified",
    "renamed",
    "removed",
    "copied",
    "changed",
    "unchanged",
)

FindingT = TypeVar("FindingT", bound=RawFinding)


class PatchParseError(ValueError):
    """GitHub's patch text is not a valid unified diff."""


class _AllLines(Container[int]):
    """Every line of a file: the changed set of an added file whose patch GitHub omitted."""

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and line >= 1

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "ALL_LINES"


ALL_LINES: Container[int] = _AllLines()

#: Changed new-file line numbers per repo-relative path (a ``set`` or ``ALL_LINES``).
ChangedLines = dict[str, Container[int]]


@dataclass(frozen=True, kw_only=True)
class ChangedFile:
    """One entry of GitHub's "list pull request files" response, reduced to what we use."""

    path: str
    status: str = MODIFIED
    patch: str | None = None
    previous_path: str | None = None
    #: The blob at the head commit, for fetchers that download file contents by blob.
    blob_sha: str = ""

    @property
    def scannable(self) -> bool:
        return self.status != REMOVED


def changed_lines_from_patch(path: str, patch: str) -> set[int]:
    """New-file line numbers added or changed by ``patch`` (hunks without file headers)."""
    text = patch if patch.endswith("\n") else patch + "\n"
    # GitHub's patch starts at the first hunk; unidiff needs the file header.
    header = f"--- a/{path}\n+++ b/{path}\n"
    try:
        patch_set = PatchSet(header + text)
    except UnidiffParseError as exc:
        raise PatchParseError(f"invalid patch for {path}") from exc
    return {
        line.target_line_no
        for patched_file in patch_set
        for hunk in patched_file
        for line in hunk
        if line.is_added and line.target_line_no is not None
    }


_HUNK_HEADER = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def head_content_from_patch(patch: str | None, blob_sha: str) -> bytes | None:
    """The file's whole content at the head, read from its patch when one hunk holds all of
    it (every added file, and a small file changed near its start); ``None`` otherwise.

    The result is trusted only when its git blob hash is ``blob_sha`` (SHA-1, or SHA-256 in
    a SHA-256 repository): a file longer than its hunk, text GitHub rendered lossily, any
    difference at all, and the content is fetched from GitHub instead.
    """
    if not patch or len(blob_sha) not in (40, 64):
        return None
    lines = patch.split("\n")
    header = _HUNK_HEADER.match(lines[0])
    if header is None or int(header.group(1)) > 1:
        return None  # the hunk starts below the file's first line
    expected = int(header.group(2)) if header.group(2) is not None else 1
    if lines[-1] == "":
        lines.pop()  # a patch that ends with a newline
    new_side: list[str] = []
    newline_at_end = True
    previous = ""
    for line in lines[1:]:
        kind = line[:1]
        if kind in ("+", " "):
            new_side.append(line[1:])
            newline_at_end = True
        elif kind == "\\":  # "\ No newline at end of file": about the line before it
            if previous in ("+", " "):
                newline_at_end = False
        elif kind != "-":
            return None  # a second hunk (lines between are missing), or not a hunk line
        previous = kind
    if len(new_side) != expected:
        return None
    content = "\n".join(new_side).encode("utf-8")
    if new_side and newline_at_end:
        content += b"\n"
    digest = hashlib.sha1 if len(blob_sha) == 40 else hashlib.sha256
    computed = digest(b"blob %d\0" % len(content) + content, usedforsecurity=False)
    return content if computed.hexdigest() == blob_sha.lower() else None


def changed_lines(files: Iterable[ChangedFile]) -> ChangedLines:
    """Changed lines for every scannable file, following the rules in the module docstring."""
    result: ChangedLines = {}
    for changed in files:
        if not changed.scannable:
            continue
        lines: Container[int] | None = None
        if changed.patch:
            try:
                lines = changed_lines_from_patch(changed.path, changed.patch)
            except PatchParseError:
                logger.warning("unparsable patch for a %s file; using the fallback", changed.status)
        if lines is None:
            lines = frozenset() if changed.status == RENAMED else ALL_LINES
        result[changed.path] = lines
    return result


def scannable_paths(files: Iterable[ChangedFile]) -> list[str]:
    """Paths that exist in the PR's head: everything except removed files."""
    return [changed.path for changed in files if changed.scannable]


def filter_to_changed(
    findings: Sequence[FindingT], changed: Mapping[str, Container[int]]
) -> list[FindingT]:
    """Findings touching at least one changed line of their file; others are old code."""
    kept = []
    for finding in findings:
        lines = changed.get(finding.path)
        if lines is not None and any(line in lines for line in finding.lines):
            kept.append(finding)
    return kept
