"""Per-file diffs between two commits, as the `diff-entry` of the PR files and compare APIs."""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import quote

from .gitstore import ObjectStore
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
    old, new = changed_blob_shas(repo.store, base_sha, head_repo.store, head_sha)
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


def changed_blob_shas(old_store: ObjectStore, old_commit: str | None,
                      new_store: ObjectStore, new_commit: str) -> tuple[dict[str, str],
                                                                        dict[str, str]]:
    """``({path: blob sha} before, {path: blob sha} after)`` for the paths where two commits
    differ. A subtree with the same sha on both sides holds the same files and is not walked,
    as git's tree diff does: a change in a large repository costs what the change touches."""
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    new_tree = new_store.commits[new_commit].tree
    if old_commit is None:
        new.update(_blobs_under(new_store, new_tree, ""))
        return old, new
    pending = [(old_store.commits[old_commit].tree, new_tree, "")]
    while pending:
        old_tree, new_tree, prefix = pending.pop()
        before = old_store.tree_index(old_tree)
        after = new_store.tree_index(new_tree)
        # Only the entries that differ: a directory of 10,000 files with one changed costs
        # a set operation, not a Python loop over its entries.
        for name in {name for name, _ in before.items() ^ after.items()}:
            was, now, path = before.get(name), after.get(name), f"{prefix}{name}"
            if was is not None and now is not None and was[0] == now[0] == "tree":
                pending.append((was[1], now[1], f"{path}/"))
                continue
            if was is not None:
                old.update(_blobs_under(old_store, was[1], f"{path}/") if was[0] == "tree"
                           else {path: was[1]})
            if now is not None:
                new.update(_blobs_under(new_store, now[1], f"{path}/") if now[0] == "tree"
                           else {path: now[1]})
    return old, new


def _blobs_under(store: ObjectStore, tree: str, prefix: str) -> dict[str, str]:
    return {path: entry.sha for path, entry in store.walk(tree, prefix) if entry.type == "blob"}


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
