"""Delivering fixes: review suggestions (``apply_fixes``) or one commit (``commit_fixes``).

Both run in a task, outside any transaction. Suggestions need only pull_requests:write and
work for fork pull requests: the author applies them with one click. The commit needs
contents:write and a head branch in the same repository; it is built with the Git Data API
on the scanned commit and the branch is moved with ``force=false``, so a push that happened
meanwhile is never overwritten (GitHub refuses the update instead). Outcomes people need to
know (nothing to fix, a missing permission, a moved branch) are written into the run.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from checks import clicks
from checks.fixes import policy
from checks.models import CheckRun, CheckRunAction, Finding, ScanJob
from checks.services import _client
from fortify_github.github.errors import ValidationFailed
from installations.permissions import missing_permissions

logger = logging.getLogger(__name__)

Outcome = CheckRunAction.Outcome
NOTICE_MARK = "<!-- fortify:notice -->"
GRANT_WHERE = ("An organization owner grants it on GitHub: Settings → Integrations → GitHub "
               "Apps → Fortify → Configure → Permissions (or accepts the App's pending "
               "permission request).")


@dataclass(frozen=True)
class Fix:
    path: str
    start_line: int
    end_line: int
    replacement: str
    title: str
    rule: str


def fixes_for(scan: ScanJob) -> list[Fix]:
    """The scan's fixes, one per line range: a later fix touching lines an earlier (more
    severe) one already replaces waits for the next scan rather than conflict with it."""
    taken: dict[str, set[int]] = {}
    fixes = []
    rows = sorted(scan.findings.filter(auto_fixable=True).exclude(fix=""),
                  key=lambda row: (-_rank(row), row.path, row.start_line))
    for row in rows:
        lines = set(range(row.start_line, row.end_line + 1))
        if lines & taken.setdefault(row.path, set()):
            continue
        taken[row.path] |= lines
        fixes.append(Fix(path=row.path, start_line=row.start_line, end_line=row.end_line,
                         replacement=row.fix.rstrip("\n"), title=row.title,
                         rule=f"{row.engine} {row.rule_id}"))
    return sorted(fixes, key=lambda fix: (fix.path, fix.start_line))


def _rank(row: Finding) -> int:
    from checks.findings import Severity

    return Severity(row.severity).rank


def suggestion_body(fix: Fix) -> str:
    """A review comment GitHub renders with a "Commit suggestion" button."""
    fence = "```"
    while fence in fix.replacement:
        fence += "`"
    return (f"**Fortify auto-fix**: {fix.title} (`{fix.rule}`)\n\n"
            f"{fence}suggestion\n{fix.replacement}\n{fence}")


def commentable_lines(patch: str | None) -> set[int]:
    """Lines of the new file a review comment may target: those inside the diff's hunks
    (GitHub rejects the whole review when one comment falls outside them)."""
    if not patch:
        return set()
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    text = patch if patch.endswith("\n") else patch + "\n"
    try:
        patched = PatchSet(f"--- a/f\n+++ b/f\n{text}")
    except UnidiffParseError:
        return set()
    return {line.target_line_no for hunk in patched[0] for line in hunk
            if line.target_line_no is not None}


def in_diff(fixes: list[Fix], patches: dict[str, str | None]) -> list[Fix]:
    """The fixes whose every line is in the pull request's diff."""
    allowed = {path: commentable_lines(patch) for path, patch in patches.items()}
    return [fix for fix in fixes
            if set(range(fix.start_line, fix.end_line + 1)) <= allowed.get(fix.path, set())]


def review_comments(fixes: list[Fix]) -> list[dict]:
    comments = []
    for fix in fixes:
        comment = {"path": fix.path, "line": fix.end_line, "side": "RIGHT",
                   "body": suggestion_body(fix)}
        if fix.end_line != fix.start_line:
            comment.update(start_line=fix.start_line, start_side="RIGHT")
        comments.append(comment)
    return comments


def apply_to_text(text: str, fixes: list[Fix]) -> str:
    """The file with each fix's lines replaced (bottom-up, so line numbers stay valid)."""
    lines = text.split("\n")
    for fix in sorted(fixes, key=lambda fix: fix.start_line, reverse=True):
        lines[fix.start_line - 1:fix.end_line] = fix.replacement.split("\n")
    return "\n".join(lines)


# --- the two buttons ----------------------------------------------------------------------

def fixes_suggest(scan: ScanJob, click: CheckRunAction) -> None:
    """``apply_fixes``: one review whose comments carry the suggestions."""
    missing = missing_permissions(_granted(scan), policy.SUGGEST)
    if missing:
        _explain(scan, click, Outcome.NOT_PERMITTED, _permission_text(
            "post fix suggestions on the pull request", missing))
        return
    client, repository = _client(scan), scan.repository
    fixes = fixes_for(scan)
    if fixes and scan.pr_number is not None:
        patches = {item["filename"]: item.get("patch") for item in
                   client.list_pull_request_files(repository.owner, repository.name,
                                                  scan.pr_number)}
        fixes = in_diff(fixes, patches)
    if not fixes:
        _explain(scan, click, Outcome.NOTHING_TO_DO,
                 "**Apply fixes**: nothing left to fix on the lines this pull request "
                 "changes.")
        return
    earlier = CheckRunAction.objects.filter(
        scan=scan, action=CheckRunAction.Action.APPLY_FIXES,
        outcome=Outcome.DONE).exclude(pk=click.pk).first()
    if earlier is not None:
        _explain(scan, click, Outcome.NOTHING_TO_DO,
                 "**Apply fixes**: the suggestions are already on the pull request (review "
                 f"posted {earlier.updated_at:%Y-%m-%d %H:%M} UTC); nothing left to add.")
        return
    count = len(fixes)
    client.create_pull_request_review(
        repository.owner, repository.name, scan.pr_number, commit_id=scan.head_sha,
        event="COMMENT", comments=review_comments(fixes),
        body=(f"Fortify suggests {count} security fix{'es' if count != 1 else ''} for "
              f"{scan.head_sha[:7]}. Each suggestion can be committed from its comment."))
    clicks.check_run_action_finish(click, Outcome.DONE, detail=f"{count} suggestion(s)")


def fixes_commit(scan: ScanJob, click: CheckRunAction) -> None:
    """``commit_fixes``: one commit with every fix on the head branch, never a force push."""
    if not policy.head_in_same_repository(scan):
        _explain(scan, click, Outcome.REFUSED,
                 "**Commit fixes**: the pull request's branch lives in a fork, which Fortify "
                 "cannot push to. Use **Apply fixes** to get the fixes as suggestions.")
        return
    missing = missing_permissions(_granted(scan), policy.COMMIT)
    if missing:
        _explain(scan, click, Outcome.NOT_PERMITTED, _permission_text(
            "commit fixes to the pull request's branch", missing)
            + " Meanwhile **Apply fixes** posts them as suggestions.")
        return
    fixes = fixes_for(scan)
    if not fixes:
        _explain(scan, click, Outcome.NOTHING_TO_DO,
                 "**Commit fixes**: nothing left to fix in this scan's results.")
        return
    client, repository = _client(scan), scan.repository
    owner, name = repository.owner, repository.name
    base = client.get_git_commit(owner, name, scan.head_sha)
    modes = _modes(client, owner, name, base["tree"]["sha"], {fix.path for fix in fixes})
    entries = []
    by_path: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_path.setdefault(fix.path, []).append(fix)
    for path, file_fixes in sorted(by_path.items()):
        current = client.get_contents(owner, name, path, ref=scan.head_sha)
        text = base64.b64decode(current["content"]).decode("utf-8")
        blob = client.create_blob(owner, name, apply_to_text(text, file_fixes))
        entries.append({"path": path, "mode": modes.get(path, "100644"), "type": "blob",
                        "sha": blob["sha"]})
    tree = client.create_tree(owner, name, entries, base_tree=base["tree"]["sha"])
    count = len(fixes)
    commit = client.create_commit(
        owner, name, tree=tree["sha"], parents=[scan.head_sha],
        message=(f"Fortify: fix {count} security issue{'s' if count != 1 else ''}\n\n"
                 + "\n".join(f"- {fix.path}:{fix.start_line} {fix.title} ({fix.rule})"
                             for fix in fixes)))
    try:
        client.update_ref(owner, name, f"heads/{scan.head_branch}", commit["sha"], force=False)
    except ValidationFailed:
        _explain(scan, click, Outcome.REFUSED,
                 f"**Commit fixes**: `{scan.head_branch}` moved since this scan (someone "
                 "pushed), so nothing was committed: Fortify never overwrites a push. The "
                 "run on the new head commit offers the fixes that still apply.")
        return
    clicks.check_run_action_finish(click, Outcome.DONE, detail=f"commit {commit['sha'][:12]}")
    logger.info("scan %s: committed %d fix(es) as %s", scan.pk, count, commit["sha"][:12])


def _granted(scan: ScanJob) -> dict[str, str]:
    return dict(scan.installation.permissions) if scan.installation is not None else {}


def _modes(client, owner: str, name: str, tree_sha: str, paths: set[str]) -> dict[str, str]:
    """File modes to keep (an executable script stays executable)."""
    tree = client.get_tree(owner, name, tree_sha, recursive=True)
    return {item["path"]: item["mode"] for item in tree.get("tree", [])
            if item.get("path") in paths}


def _permission_text(what: str, missing: list[str]) -> str:
    return (f"**Fortify needs permission to {what}**: grant `{', '.join(missing)}`. "
            + GRANT_WHERE)


def _explain(scan: ScanJob, click: CheckRunAction, outcome: str, notice: str) -> None:
    """Put ``notice`` at the top of the run's summary (replacing an earlier notice)."""
    clicks.check_run_action_finish(click, outcome, detail=notice.split("\n")[0][:255])
    run_notice(scan, notice)


def run_notice(scan: ScanJob, notice: str) -> None:
    check_run = CheckRun.objects.filter(scan=scan).first()
    if check_run is None or not check_run.github_id:
        return
    client, repository = _client(scan), scan.repository
    current = client.get_check_run(repository.owner, repository.name, check_run.github_id)
    output = current.get("output") or {}
    summary = str(output.get("summary") or "")
    if NOTICE_MARK in summary:
        summary = summary.split(NOTICE_MARK, 2)[-1].lstrip()
    body = {"title": output.get("title") or check_run.title or "Fortify Security Scan",
            "summary": f"{NOTICE_MARK}\n{notice}\n{NOTICE_MARK}\n\n{summary}"[:65535]}
    if output.get("text"):
        body["text"] = output["text"]
    client.update_check_run(repository.owner, repository.name, check_run.github_id,
                            output=body)
