"""Changed-line extraction from GitHub ``patch`` fields and the diff filter."""

from __future__ import annotations

import hashlib

import pytest

from checks.diff import (
    ALL_LINES,
    ChangedFile,
    PatchParseError,
    changed_lines,
    changed_lines_from_patch,
    filter_to_changed,
    head_content_from_patch,
    scannable_paths,
)
from checks.findings import RawFinding, Severity

# Old file: 1 import os, 2 (blank), 3 def f(x):, 4 os.system(x), 5 return 1
# New file adds two vulnerable lines after line 4 and changes "return 1" to "return 2".
MODIFIED_PATCH = "\n".join(
    [
        "@@ -1,5 +1,7 @@",
        " import os",
        " ",
        " def f(x):",
        "     os.system(x)",
        "+    eval(x)",
        "+    exec(x)",
        "-    return 1",
        "+    return 2",
    ]
)

MULTI_HUNK_PATCH = """\
@@ -2,3 +2,4 @@ import os
 a = 1
+b = 2
 c = 3
 d = 4
@@ -20,4 +21,3 @@ def g():
 x = 1
-y = 2
-z = 3
+z = 30
 w = 4"""


def finding(path: str, start: int, end: int | None = None) -> RawFinding:
    return RawFinding(
        engine="bandit",
        rule_id="B605",
        severity=Severity.HIGH,
        title="t",
        description="d",
        recommendation="r",
        path=path,
        start_line=start,
        end_line=end or start,
    )


def test_added_and_changed_lines_count_context_lines_do_not() -> None:
    assert changed_lines_from_patch("app.py", MODIFIED_PATCH) == {5, 6, 7}


def test_multi_hunk_patch_uses_new_file_numbers_and_ignores_deletions() -> None:
    assert changed_lines_from_patch("app.py", MULTI_HUNK_PATCH) == {3, 22}


def test_pure_deletion_changes_no_lines() -> None:
    patch = "@@ -1,3 +1,2 @@\n keep\n-gone = os.system(x)\n keep too"
    assert changed_lines_from_patch("app.py", patch) == set()


def test_lines_that_look_like_file_headers_are_content() -> None:
    # A removed SQL comment "-- x" is "--- x" in the patch; an added "++ y" is "+++ y".
    patch = "@@ -1,2 +1,2 @@\n keep\n--- old comment\n+++ y\n"
    assert changed_lines_from_patch("schema.sql", patch) == {2}


def test_no_newline_marker_is_ignored() -> None:
    patch = (
        "@@ -1 +1 @@\n-a = 1\n\\ No newline at end of file\n+a = 2\n\\ No newline at end of file"
    )
    assert changed_lines_from_patch("a.py", patch) == {1}


def test_invalid_patch_raises() -> None:
    with pytest.raises(PatchParseError):
        changed_lines_from_patch("a.py", "@@ -1,3 +1,3 @@\n only one line")


def test_filter_keeps_only_findings_on_changed_lines() -> None:
    changed = changed_lines([ChangedFile(path="app.py", status="modified", patch=MODIFIED_PATCH)])
    old = finding("app.py", 4)  # os.system(x) was already there
    new_eval, new_exec = finding("app.py", 5), finding("app.py", 6)
    assert filter_to_changed([old, new_eval, new_exec], changed) == [new_eval, new_exec]


def test_multi_line_finding_is_kept_when_any_of_its_lines_changed() -> None:
    changed = {"app.py": {10}}
    assert filter_to_changed([finding("app.py", 8, 10)], changed)
    assert not filter_to_changed([finding("app.py", 11, 14)], changed)


def test_findings_in_files_outside_the_pr_are_dropped() -> None:
    assert filter_to_changed([finding("other.py", 1)], {"app.py": {1}}) == []


def test_renamed_file_is_keyed_by_its_new_path() -> None:
    renamed = ChangedFile(
        path="pkg/new_name.py",
        previous_path="pkg/old_name.py",
        status="renamed",
        patch="@@ -1,2 +1,3 @@\n import os\n+os.system(cmd)\n x = 1",
    )
    pure_rename = ChangedFile(path="b.py", previous_path="a.py", status="renamed", patch=None)
    changed = changed_lines([renamed, pure_rename])
    assert changed == {"pkg/new_name.py": {2}, "b.py": frozenset()}
    assert filter_to_changed([finding("pkg/new_name.py", 2), finding("b.py", 1)], changed) == [
        finding("pkg/new_name.py", 2)
    ]


def test_removed_files_are_not_scanned() -> None:
    files = [
        ChangedFile(path="gone.py", status="removed", patch="@@ -1 +0,0 @@\n-x = 1"),
        ChangedFile(path="kept.py", status="added", patch="@@ -0,0 +1 @@\n+x = 1"),
    ]
    assert scannable_paths(files) == ["kept.py"]
    assert changed_lines(files) == {"kept.py": {1}}


def test_missing_patch_rule_all_lines_except_for_pure_renames() -> None:
    """A diff too large to render cannot hide new code: the whole file counts as changed."""
    changed = changed_lines(
        [
            ChangedFile(path="big_new.py", status="added", patch=None),
            ChangedFile(path="big_changed.py", status="modified", patch=None),
            ChangedFile(path="broken.py", status="added", patch="@@ -0,0 +1,5 @@\n+only one"),
        ]
    )
    assert changed["big_new.py"] is ALL_LINES
    assert changed["broken.py"] is ALL_LINES  # unparsable: same rule as missing
    assert 12345 in changed["big_new.py"]
    assert 0 not in changed["big_new.py"]
    assert changed["big_changed.py"] is ALL_LINES
    findings = [finding("big_new.py", 900), finding("big_changed.py", 3)]
    assert filter_to_changed(findings, changed) == findings


# --- a file's whole content from its patch ------------------------------------------------

def _blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


@pytest.mark.parametrize(("old", "new"), [
    (b"", b"import os\nos.system(cmd)\n"),  # an added file
    (b"", b"no newline at the end"),
    (b"x = 1\n", b"x = 1\ny = 2\n"),  # a small file changed: the hunk holds all of it
    (b"a = 1\r\nb = 2\r\n", b"a = 1\r\nb = 3\r\n"),  # CRLF line endings
    (b"old", b"new"),  # neither side ends with a newline
    (b"a\n" * 3, b""),  # emptied
])
def test_a_patch_that_holds_the_whole_file_gives_its_exact_bytes(old, new):
    from github_sandbox.diffs import unified_patch

    patch, _, _ = unified_patch(old, new)
    assert head_content_from_patch(patch, _blob_sha(new)) == new


@pytest.mark.parametrize(("patch", "content", "why"), [
    ("@@ -48,3 +48,4 @@\n 47\n 48\n 49\n+50", b"", "the hunk starts below line 1"),
    ("@@ -1,3 +1,4 @@\n a\n+b\n c\n d\n@@ -20,1 +21,2 @@\n z\n+y", b"", "two hunks"),
    ("@@ -0,0 +1,2 @@\n+a\n+b", b"a\nb\nc\n", "the file goes on after the hunk"),
    ("@@ -0,0 +1,2 @@\n+a", b"a\n", "fewer lines than the header says"),
    ("@@ -0,0 +1,1 @@\n+caf\ufffd", "café".encode("latin-1"), "text GitHub decoded lossily"),
    ("Binary files differ", b"", "no hunk at all"),
    ("", b"", "no patch"),
])
def test_a_patch_that_does_not_hold_the_file_gives_nothing(patch, content, why):
    assert head_content_from_patch(patch, _blob_sha(content)) is None, why


def test_a_patch_is_trusted_only_with_its_blob_hash():
    patch = "@@ -0,0 +1,1 @@\n+token = read()"
    assert head_content_from_patch(patch, _blob_sha(b"token = read()\n")) is not None
    assert head_content_from_patch(patch, _blob_sha(b"token = other()\n")) is None
    assert head_content_from_patch(patch, "") is None
    sha256 = hashlib.sha256(b"blob 15\0token = read()\n").hexdigest()
    assert head_content_from_patch(patch, sha256) == b"token = read()\n"
