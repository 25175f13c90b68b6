"""Re-run clicks through the real receiver, broker and a real Celery worker: two quick
clicks on "Re-run" give exactly one new run, which completes."""

from __future__ import annotations

import pytest

from checks.models import CheckRunAction
from installations.sync import sync_installations
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_quick_rerun_clicks_give_one_new_completed_run(celery_worker,
                                                           worker_github_settings, live_server):
    sandbox = worker_github_settings
    state = sandbox.state
    sync_installations()
    state.push_commit("fortify-demo", "payments-api", "feature/rerun-worker",
                      {"payments/export.py": "import subprocess\n\n\ndef run(cmd):\n"
                                             "    subprocess.call(cmd, shell=True)\n"},
                      "Export", notify=False)
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    try:
        pull = state.open_pull_request("fortify-demo", "payments-api", "feature/rerun-worker",
                                       wait=True)
        head_sha = pull["head"]["sha"]

        def runs(count: int, *, completed: bool):
            found = check_runs_for(sandbox, "fortify-demo", "payments-api", head_sha)
            done = [run for run in found if run.status == "completed" or not completed]
            return found if len(found) == count and len(done) == count else None

        (first,) = wait_until(lambda: runs(1, completed=True), timeout=180,
                              what="the PR's run to complete", log=celery_worker.log_path)
        state.rerequest_check_run(first.id, wait=True)
        state.request_check_run_action(first.id, "rerun_scan", wait=True)
        both = wait_until(lambda: runs(2, completed=True), timeout=180,
                          what="the re-run to complete", log=celery_worker.log_path)
    finally:
        sandbox.app.webhook_url = None

    rerun = max(both, key=lambda run: run.id)
    assert rerun.conclusion == first.conclusion == "failure"
    assert len(rerun.annotations) == len(first.annotations)
    outcomes = sorted(CheckRunAction.objects.filter(head_sha=head_sha)
                      .values_list("outcome", flat=True))
    assert outcomes == [CheckRunAction.Outcome.DEBOUNCED, CheckRunAction.Outcome.DONE]
    assert len(check_runs_for(sandbox, "fortify-demo", "payments-api", head_sha)) == 2
