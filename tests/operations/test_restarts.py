"""Restarts are safe: a sandbox restarted with its directory kept hands out no id twice, and
the product survives a check-run id it already knows without leaving a run stuck."""

from __future__ import annotations

import pytest

from github_sandbox import SandboxServer
from github_sandbox.identifiers import IdSequence


def test_a_restarted_sandbox_continues_its_ids_and_pull_numbers(tmp_path):
    first = SandboxServer(key_dir=tmp_path, persist_ids=True).start()
    try:
        pull = first.state.open_pull_request("fortify-demo", "web-frontend",
                                             "vuln/eval-injection")
        first_run_id = first.state._run_ids.next()
    finally:
        first.stop()
    second = SandboxServer(key_dir=tmp_path, persist_ids=True).start()
    try:
        again = second.state.open_pull_request("fortify-demo", "web-frontend",
                                               "vuln/eval-injection")
        second_run_id = second.state._run_ids.next()
    finally:
        second.stop()
    assert again["number"] > pull["number"]
    assert again["id"] > pull["id"]
    assert second_run_id > first_run_id


@pytest.mark.django_db
def test_a_check_run_id_github_hands_out_again_does_not_leave_a_run_stuck(synced, deliver):
    """GitHub (here: a sandbox that lost its memory) gives the new run an id an old row holds:
    the new run is recorded and completed; the old row lets go of the id."""
    from checks.models import CheckRun, ScanJob
    from checks.services import run_scan
    from tests.support.sandbox import check_runs_for, open_pull_request

    sandbox = synced
    first = deliver("pull_request", open_pull_request(
        sandbox, "fortify-demo", "payments-api", "vuln/sql-injection"))
    assert first.status == "completed", first.last_error
    old = CheckRun.objects.get()
    reused = old.github_id
    sandbox.state._run_ids = IdSequence(reused)  # the forgetful GitHub's next id

    payload = open_pull_request(sandbox, "fortify-demo", "web-frontend", "vuln/eval-injection")
    second = deliver("pull_request", payload)
    assert second.status == "completed", second.last_error
    scan = ScanJob.objects.get(head_sha=payload["pull_request"]["head"]["sha"])
    assert scan.check_run.github_id == reused
    old.refresh_from_db()
    assert old.github_id is None

    run_scan(scan.pk)
    run = check_runs_for(sandbox, "fortify-demo", "web-frontend", scan.head_sha)[0]
    assert run.status == "completed"
    scan.check_run.refresh_from_db()
    assert scan.check_run.status == CheckRun.Status.COMPLETED
