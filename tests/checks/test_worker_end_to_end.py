"""A pull request opened on the sandbox reaches a completed check run through the real
receiver, the broker and a real Celery worker: nothing called directly."""

from __future__ import annotations

import pytest

from checks.models import ScanJob
from installations.sync import sync_installations
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_pull_request_to_completed_check_run(celery_worker, worker_github_settings,
                                             live_server):
    sandbox = worker_github_settings
    sync_installations()
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    try:
        pull = sandbox.state.open_pull_request("fortify-demo", "web-frontend",
                                               "vuln/eval-injection", wait=True)
    finally:
        sandbox.app.webhook_url = None
    head_sha = pull["head"]["sha"]
    delivery = next(d for d in reversed(sandbox.state.deliveries) if d.event == "pull_request")
    assert delivery.status_code == 202

    def completed_run():
        runs = check_runs_for(sandbox, "fortify-demo", "web-frontend", head_sha)
        return runs[0] if runs and runs[0].status == "completed" else None

    run = wait_until(completed_run, timeout=180, what="the check run to complete",
                     log=celery_worker.log_path)
    assert run.conclusion == "failure"
    assert run.annotations
    scan = ScanJob.objects.get(head_sha=head_sha)
    assert scan.status == ScanJob.Status.COMPLETED
    assert scan.check_run.github_id == run.id
