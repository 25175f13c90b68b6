"""Every line logged while a scan runs names its delivery and scan, the GitHub client's too:
a pull request opened on the sandbox, scanned by a real worker, whose log is read."""

from __future__ import annotations

import pytest

from checks.models import ScanJob
from installations.sync import sync_installations
from tests.support.processes import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_client_lines_during_a_scan_name_the_delivery_and_the_scan(
        celery_worker, worker_github_settings, live_server):
    sandbox = worker_github_settings
    sync_installations()
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    try:
        pull = sandbox.state.open_pull_request("fortify-demo", "payments-api",
                                               "vuln/sql-injection", wait=True)
    finally:
        sandbox.app.webhook_url = None
    delivery = next(d for d in reversed(sandbox.state.deliveries)
                    if d.event == "pull_request").guid
    scan = wait_until(lambda: ScanJob.objects.filter(
        head_sha=pull["head"]["sha"], status=ScanJob.Status.COMPLETED).first(),
        timeout=180, what="the scan to complete", log=celery_worker.log_path)
    assert scan.trigger_delivery == delivery

    lines = celery_worker.log().splitlines()
    ours = [line for line in lines if f"scan={scan.public_id}" in line]
    client = [line for line in ours if " fortify_github.github" in line]
    assert client, "the GitHub client logged during the scan"
    assert all(f"delivery={delivery}" in line for line in ours)
    assert any("check-runs" in line for line in client), "\n".join(client[:10])
    assert all("repository=fortify-demo/payments-api" in line for line in ours)
    # The webhook's own lines name the same delivery, before any scan exists.
    assert any(f"delivery={delivery}" in line and " webhooks " in line for line in lines)
