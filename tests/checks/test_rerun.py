"""Re-runs against the sandbox: "Re-run" (check_run.rerequested), "Re-run all checks"
(check_suite.rerequested) and the Re-run button, for same-repository and fork PRs."""

from __future__ import annotations

import pytest

from checks import rerun, services
from checks.models import CheckRunAction, ScanJob
from tests.checks.buttons import open_and_scan, push_fixable_branch
from tests.support.sandbox import check_runs_for, last_payload

pytestmark = pytest.mark.django_db

Outcome = CheckRunAction.Outcome


def rerequest(sandbox, deliver, run, kind: str):
    """Click on GitHub; deliver the webhook it sends; returns the stored event."""
    state = sandbox.state
    if kind == "check_run":
        state.rerequest_check_run(run.id)
        event, action = "check_run", "rerequested"
    elif kind == "check_suite":
        # The App subscribes to check_suite (README); the sandbox's default list does not.
        inst = state.installation_for_repo(run.repo)
        if "check_suite" not in inst.events:
            inst.events.append("check_suite")
        state.rerequest_check_suite(run.suite.id)
        event, action = "check_suite", "rerequested"
    else:
        state.request_check_run_action(run.id, "rerun_scan")
        event, action = "check_run", "requested_action"
    stored = deliver(event, last_payload(sandbox, event, action))
    assert stored.status == "completed", stored.last_error
    return stored


def finish(click: CheckRunAction, *, scan: bool = False) -> ScanJob:
    """What the worker does after the handler: start the re-run (the new ``in_progress``
    run), then, with ``scan``, the scan itself (slow: the engines run)."""
    started = rerun.rerun_start(click.result_scan_id, click.pk)
    if scan:
        services.run_scan(started.pk)
    started.refresh_from_db()
    return started


KINDS = [("check_run", False), ("check_suite", False), ("rerun_scan", False),
         ("check_run", True), ("check_suite", True), ("rerun_scan", True)]


@pytest.mark.parametrize(("kind", "fork"), KINDS,
                         ids=[f"{kind}-{'fork' if fork else 'same-repo'}" for kind, fork in KINDS])
def test_each_rerun_creates_a_new_run_on_the_same_head_sha(synced, deliver, kind, fork):
    push_fixable_branch(synced, fork_owner="contributor" if fork else None)
    options = {"fork_owner": "contributor"} if fork else {}
    payload, scan, run = open_and_scan(synced, deliver, fail=True, **options)
    assert [action["identifier"] for action in run.actions] == ["rerun_scan"]
    if fork:
        assert payload["pull_request"]["head"]["repo"]["full_name"] == "contributor/payments-api"

    stored = rerequest(synced, deliver, run, kind)

    click = CheckRunAction.objects.get(delivery_id=stored.delivery_id)
    assert click.sender_login == "octocat"
    new = finish(click)
    assert new.trigger == ScanJob.Trigger.RERUN
    assert new.pr_number == payload["number"] and new.head_sha == scan.head_sha
    runs = check_runs_for(synced, "fortify-demo", "payments-api", scan.head_sha)
    assert len(runs) == 2
    newest = max(runs, key=lambda r: r.id)
    assert newest.external_id == str(new.public_id)
    assert newest.status == "in_progress"
    scan.refresh_from_db()
    assert scan.superseded_by_id == new.pk
    click.refresh_from_db()
    assert click.outcome == Outcome.DONE


def test_fork_pr_found_through_github_when_no_scan_remembers_it(synced, deliver):
    """check_suite.pull_requests is empty for a fork PR; with no stored scan naming the PR,
    ``GET /repos/{owner}/{repo}/commits/{sha}/pulls`` finds it."""
    push_fixable_branch(synced, fork_owner="contributor")
    payload, scan, run = open_and_scan(synced, deliver, fork_owner="contributor")
    ScanJob.objects.filter(pk=scan.pk).update(pr_number=None)
    suite_requests = len(synced.state.requests_to("GET", "/repos/*/commits/*/pulls"))

    stored = rerequest(synced, deliver, run, "check_suite")

    assert last_payload(synced, "check_suite", "rerequested")["check_suite"][
        "pull_requests"] == []
    new = finish(CheckRunAction.objects.get(delivery_id=stored.delivery_id), scan=True)
    assert new.pr_number == payload["number"]
    assert new.status == ScanJob.Status.COMPLETED
    runs = check_runs_for(synced, "fortify-demo", "payments-api", scan.head_sha)
    newest = max(runs, key=lambda r: r.id)
    assert newest.external_id == str(new.public_id)
    assert newest.status == "completed" and newest.conclusion == run.conclusion
    assert len(newest.annotations) == len(run.annotations)
    assert len(synced.state.requests_to("GET", "/repos/*/commits/*/pulls")) > suite_requests


def test_two_quick_clicks_start_one_rerun(synced, deliver):
    push_fixable_branch(synced)
    _, scan, run = open_and_scan(synced, deliver, fail=True)

    first = rerequest(synced, deliver, run, "check_run")
    second = rerequest(synced, deliver, run, "rerun_scan")

    clicks = {c.delivery_id: c for c in CheckRunAction.objects.all()}
    assert clicks[first.delivery_id].outcome == Outcome.RECEIVED
    assert clicks[second.delivery_id].outcome == Outcome.DEBOUNCED
    assert ScanJob.objects.filter(head_sha=scan.head_sha,
                                  trigger=ScanJob.Trigger.RERUN).count() == 1
    finish(clicks[first.delivery_id])
    assert len(check_runs_for(synced, "fortify-demo", "payments-api", scan.head_sha)) == 2


def test_rerun_of_a_commit_that_is_no_longer_the_head_says_so(synced, deliver):
    push_fixable_branch(synced)
    payload, scan, run = open_and_scan(synced, deliver, fail=True)
    newer = synced.state.push_commit("fortify-demo", "payments-api", "feature/rates",
                                     {"README.md": "more\n"}, "Docs")
    stored = rerequest(synced, deliver, run, "check_run")
    click = CheckRunAction.objects.get(delivery_id=stored.delivery_id)

    new = rerun.rerun_start(click.result_scan_id, click.pk)

    assert new.status == ScanJob.Status.CANCELLED
    runs = check_runs_for(synced, "fortify-demo", "payments-api", scan.head_sha)
    answer = max(runs, key=lambda r: r.id)
    assert answer.status == "completed" and answer.conclusion == "neutral"
    assert answer.output["title"] == f"Not re-run: #{payload['number']} has newer commits"
    assert newer[:7] in answer.output["summary"]
    assert not new.findings.exists()
    click.refresh_from_db()
    assert click.outcome == Outcome.STALE
