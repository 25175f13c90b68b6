"""Per-file diffs between two commits, as the `diff-entry` of the PR files and compare APIs."""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import quote

from .models import Repository

# GitHub leaves `patch` out of diff entries whose diff is too large to render.
MAX_PATCH_CHANGES = 20_000
MAX_PATCH_BYTES = 1_000_000


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines(keepends=True)


def _is_binary(data: bytes) -> bool:
    return b"\0" in data[:8000]


def unified_patch(old: bytes, new: bytes) -> tuple[str, int, int]:
    """The hunks of a git unified diff (no `---`/`+++` header), plus additions and deletions."""
    old_lines, new_lines = _lines(old), _lines(new)
    out: list[str] = []
    additions = deletions = 0
    for line in list(difflib.unified_diff(old_lines, new_lines, n=3))[2:]:
        # difflib's ranges already match git's (`-3 +3,2`, `-0,0` for an empty side)
        if line.startswith("@@"):
            out.append(_with_function_context(line.rstrip("\n"), old_lines))
            continue
        if line.startswith("+"):
            additions += 1
        elif line.startswith("-"):
            deletions += 1
        out.append(line.rstrip("\n"))
        if not line.endswith("\n"):
            out.append("\\ No newline at end of file")
    return "\n".join(out), additions, deletions


def _with_function_context(header: str, old_lines: list[str]) -> str:
    """Append git's default "funcname" context: the nearest line above the hunk that starts
    with a letter, `_` or `$` (`@@ -22,6 +25,26 @@ def show_payment(payment_id):`)."""
    start = int(header.split()[1].lstrip("-").split(",")[0])
    for index in range(start - 2, -1, -1):
        candidate = old_lines[index].rstrip("\r\n")
        if candidate[:1].isalpha() or candidate[:1] in ("_", "$"):
            return f"{header} {candidate[:80].rstrip()}"
    return header


def diff_entries(repo: Repository, base_url: str, base_sha: str | None, head_sha: str,
                 head_repo: Repository | None = None) -> list[dict[str, Any]]:
    """Every changed file between `base_sha` (in `repo`) and `head_sha` (in `head_repo`)."""
    head_repo = head_repo or repo
    old = repo.store.blob_shas_of(base_sha) if base_sha else {}
    new = head_repo.store.blob_shas_of(head_sha)
    removed = {p: s for p, s in old.items() if p not in new}
    added = {p: s for p, s in new.items() if p not in old}
    renamed: dict[str, str] = {}  # new path -> old path, for byte-identical moves
    for new_path, sha in added.items():
        old_path = next((p for p, s in removed.items() if s == sha and p not in renamed.values()),
                        None)
        if old_path:
            renamed[new_path] = old_path
    entries = []
    for path in sorted(set(old) | set(new)):
        if path in renamed.values():
            continue
        old_sha, new_sha = old.get(path), new.get(path)
        if path in renamed:
            old_sha = old[renamed[path]]
        if old_sha == new_sha and path not in renamed:
            continue
        entries.append(_entry(repo, head_repo, base_url, head_sha, path, old_sha, new_sha,
                              renamed.get(path)))
    return entries


def _entry(repo: Repository, head_repo: Repository, base_url: str, head_sha: str, path: str,
           old_sha: str | None, new_sha: str | None, previous: str | None) -> dict[str, Any]:
    old_data = repo.store.blobs.get(old_sha, b"") if old_sha else b""
    new_data = head_repo.store.blobs.get(new_sha, b"") if new_sha else b""
    status = ("renamed" if previous else "added" if old_sha is None
              else "removed" if new_sha is None else "modified")
    binary = _is_binary(old_data) or _is_binary(new_data)
    patch, additions, deletions = ("", 0, 0) if binary else unified_patch(old_data, new_data)
    ref = head_sha
    quoted = quote(path)
    entry: dict[str, Any] = {
        "sha": new_sha or old_sha,
        "filename": path,
        "status": status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{base_url}/{head_repo.full_name}/blob/{ref}/{quoted}",
        "raw_url": f"{base_url}/{head_repo.full_name}/raw/{ref}/{quoted}",
        "contents_url": f"{base_url}/repos/{head_repo.full_name}/contents/{quoted}?ref={ref}",
    }
    too_large = additions + deletions > MAX_PATCH_CHANGES or len(patch) > MAX_PATCH_BYTES
    if not binary and not too_large and patch:
        entry["patch"] = patch
    if previous:
        entry["previous_filename"] = previous
    return entry
