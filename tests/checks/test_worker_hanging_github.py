"""On PostgreSQL with a real worker: GitHub hanging on one check-run create holds no lock
and no delivery; other pull requests still get their ``in_progress`` runs."""

from __future__ import annotations

import pytest

from installations.sync import sync_installations
from tests.support.hang import assert_a_hanging_create_blocks_nothing


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_hanging_check_run_create_blocks_no_delivery_and_no_other_pull_request(
        celery_worker, worker_github_settings, live_server):
    sandbox = worker_github_settings
    sync_installations()
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    try:
        assert_a_hanging_create_blocks_nothing(sandbox.url, log=celery_worker.log_path)
    finally:
        sandbox.app.webhook_url = None
