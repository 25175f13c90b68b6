"""The fix buttons against the sandbox: "Apply fixes" posts review suggestions, "Commit
fixes" pushes one commit with ``force=false``; permissions and forks are respected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.action_tasks import deliver_fixes_task
from checks.agent import ScanMode, scan_workspace
from checks.engines import BanditEngine
from checks.models import CheckRunAction, ScanJob
from tests.checks.buttons import (
    FIX_BRANCH,
    FIX_PATH,
    FIXABLE_PY,
    FIXED_RULES,
    click,
    grant,
    open_and_scan,
    push_fixable_branch,
)
from tests.support.sandbox import last_payload

pytestmark = pytest.mark.django_db

Outcome = CheckRunAction.Outcome
SUGGESTION = re.compile(r"```suggestion\n(.*?)\n```", re.DOTALL)


def press(sandbox, deliver, run, identifier: str) -> CheckRunAction:
    """Click, then run the task the handler enqueued (here, in this process)."""
    recorded = click(sandbox, deliver, run, identifier)
    deliver_fixes_task.apply(args=[recorded.pk])
    recorded.refresh_from_db()
    return recorded


def rules_triggered(tmp_path: Path, source: str) -> set[str]:
    (tmp_path / "rates.py").write_text(source)
    result = scan_workspace(tmp_path, ["rates.py"], mode=ScanMode.FULL, changed_lines={},
                            engines=[BanditEngine()])
    return {finding.rule_id for finding in result.findings}


def summary_of(sandbox, run) -> str:
    return sandbox.state.check_runs[run.id].output["summary"]


def identifiers(run) -> list[str]:
    return [action["identifier"] for action in run.actions]


def test_apply_fixes_posts_suggestions_that_fix_their_rules(synced, deliver, tmp_path):
    push_fixable_branch(synced)
    payload, scan, run = open_and_scan(synced, deliver)
    assert identifiers(run) == ["apply_fixes", "rerun_scan", "view_dashboard"]
    assert rules_triggered(tmp_path, FIXABLE_PY) >= FIXED_RULES

    # Without pull_requests:write the run says which permission to grant, and where.
    grant(synced, deliver, pull_requests="read")
    refused = press(synced, deliver, run, "apply_fixes")
    assert refused.outcome == Outcome.NOT_PERMITTED
    assert "`pull_requests:write`" in summary_of(synced, run)
    assert "Settings → Integrations → GitHub Apps → Fortify" in summary_of(synced, run)
    assert not synced.state.reviews

    grant(synced, deliver, pull_requests="write")
    done = press(synced, deliver, run, "apply_fixes")

    assert done.outcome == Outcome.DONE and done.sender_login == "octocat"
    pull = synced.state.pull_request("fortify-demo", "payments-api", payload["number"])
    (review,) = synced.state.reviews[pull.id]
    assert review["commit_id"] == scan.head_sha and review["state"] == "COMMENTED"
    assert len(review["comments"]) == len(FIXED_RULES)
    lines = FIXABLE_PY.split("\n")
    for comment in sorted(review["comments"], key=lambda c: -c["line"]):
        assert comment["path"] == FIX_PATH
        (suggested,) = SUGGESTION.findall(comment["body"])
        lines[comment["start_line"] - 1:comment["line"]] = suggested.split("\n")
    assert not FIXED_RULES & rules_triggered(tmp_path, "\n".join(lines))

    again = press(synced, deliver, run, "apply_fixes")
    assert again.outcome == Outcome.NOTHING_TO_DO
    assert "already on the pull request" in summary_of(synced, run)
    assert "`pull_requests:write`" not in summary_of(synced, run)  # the old notice is gone
    assert len(synced.state.reviews[pull.id]) == 1


def test_commit_fixes_pushes_one_commit_and_a_new_scan_starts(synced, deliver, tmp_path):
    grant(synced, deliver, contents="write")
    push_fixable_branch(synced)
    payload, scan, run = open_and_scan(synced, deliver)
    assert identifiers(run) == ["apply_fixes", "commit_fixes", "rerun_scan"]
    repo = synced.state.repository("fortify-demo", "payments-api")

    done = press(synced, deliver, run, "commit_fixes")

    assert done.outcome == Outcome.DONE
    head = repo.branches[FIX_BRANCH]
    commit = repo.store.commits[head]
    assert list(commit.parents) == [scan.head_sha]  # one commit on top of the scanned one
    fixed = repo.store.files_of(head)[FIX_PATH].decode()
    assert not FIXED_RULES & rules_triggered(tmp_path, fixed)
    compile(fixed, FIX_PATH, "exec")
    changed = {path for path, blob in repo.store.files_of(head).items()
               if repo.store.files_of(scan.head_sha).get(path) != blob}
    assert changed == {FIX_PATH}

    # GitHub announces the push; Fortify scans the new head.
    synchronize = last_payload(synced, "pull_request", "synchronize")
    assert synchronize["pull_request"]["head"]["sha"] == head
    assert deliver("pull_request", synchronize).status == "completed"
    assert ScanJob.objects.filter(head_sha=head, pr_number=payload["number"],
                                  status=ScanJob.Status.QUEUED).exists()


def test_a_concurrent_push_is_never_overwritten(synced, deliver):
    grant(synced, deliver, contents="write")
    push_fixable_branch(synced)
    _, _scan, run = open_and_scan(synced, deliver)
    theirs = synced.state.push_commit("fortify-demo", "payments-api", FIX_BRANCH,
                                      {"NOTES.md": "pushed meanwhile\n"}, "Notes",
                                      notify=False)

    refused = press(synced, deliver, run, "commit_fixes")

    assert refused.outcome == Outcome.REFUSED
    repo = synced.state.repository("fortify-demo", "payments-api")
    assert repo.branches[FIX_BRANCH] == theirs
    assert "moved since this scan" in summary_of(synced, run)
    (update,) = synced.state.requests_to("PATCH", "/repos/*/git/refs/heads/*")
    assert update["status"] == 422


def test_fork_pr_gets_suggestions_only(synced, deliver):
    grant(synced, deliver, contents="write")
    push_fixable_branch(synced, fork_owner="contributor")
    payload, _scan, run = open_and_scan(synced, deliver, fork_owner="contributor")
    assert identifiers(run) == ["apply_fixes", "rerun_scan", "view_dashboard"]

    forged = press(synced, deliver, run, "commit_fixes")
    assert forged.outcome == Outcome.REFUSED
    assert "fork" in summary_of(synced, run)
    assert not synced.state.requests_to("POST", "/repos/*/git/*")

    done = press(synced, deliver, run, "apply_fixes")
    assert done.outcome == Outcome.DONE
    pull = synced.state.pull_request("fortify-demo", "payments-api", payload["number"])
    (review,) = synced.state.reviews[pull.id]
    assert len(review["comments"]) == len(FIXED_RULES)


def test_missing_contents_write_is_explained(synced, deliver):
    push_fixable_branch(synced)
    _, _, run = open_and_scan(synced, deliver, fail=True)
    refused = press(synced, deliver, run, "commit_fixes")
    assert refused.outcome == Outcome.NOT_PERMITTED
    assert "`contents:write`" in summary_of(synced, run)


def test_view_dashboard_is_recorded(synced, deliver):
    push_fixable_branch(synced)
    _, scan, run = open_and_scan(synced, deliver, fail=True)
    assert run.details_url.endswith(f"/scans/{scan.public_id}")

    recorded = click(synced, deliver, run, "view_dashboard")

    assert recorded.action == CheckRunAction.Action.VIEW_DASHBOARD
    assert recorded.outcome == Outcome.DONE
    assert recorded.scan == scan and recorded.sender_login == "octocat"
    assert recorded.sender_id == synced.state.account("octocat").id
    assert recorded.created_at is not None


def test_an_unknown_button_is_recorded_and_refused(synced, deliver):
    push_fixable_branch(synced)
    _, scan, run = open_and_scan(synced, deliver, fail=True)

    recorded = click(synced, deliver, run, "format_disk")

    assert recorded.action == CheckRunAction.Action.OTHER
    assert recorded.outcome == Outcome.REFUSED
    assert recorded.detail == "unknown button 'format_disk'"
    assert not ScanJob.objects.exclude(pk=scan.pk).exists()
