"""Helpers for the check-run button tests: open a PR, scan it, click, process the click."""

from __future__ import annotations

from checks import services
from checks.models import CheckRunAction, ScanJob
from tests.support.sandbox import check_runs_for, last_payload, open_pull_request

#: A file whose every finding has a fixer: what "Apply fixes" turns into suggestions.
FIXABLE_PY = '''import hashlib
import subprocess

import requests
import yaml


def load_settings(data):
    return yaml.load(data, Loader=yaml.Loader)


def fetch_rates(url):
    return requests.get(url, timeout=5, verify=False)


def etag_for(body):
    return hashlib.md5(body).hexdigest()


def list_exports():
    return subprocess.run(["ls", "-l", "/var/exports"], shell=True, check=True)
'''
FIXED_RULES = {"B506", "B501", "B324", "B602"}
FIX_BRANCH = "feature/rates"
FIX_PATH = "payments/rates.py"


def installation_id(sandbox, account: str = "fortify-demo") -> int:
    return next(i.id for i in sandbox.state.installations.values()
                if i.account.login == account)


def grant(sandbox, deliver, **permissions: str) -> None:
    """Change the installation's permissions on GitHub; Fortify learns them from the
    ``installation.new_permissions_accepted`` webhook (which also drops cached tokens)."""
    inst = sandbox.state.installation(installation_id(sandbox))
    sandbox.state.update_installation_permissions(inst.id, {**inst.permissions, **permissions})
    event = deliver("installation", last_payload(sandbox, "installation",
                                                 "new_permissions_accepted"))
    assert event.status == "completed", event.last_error


def push_fixable_branch(sandbox, *, fork_owner: str | None = None) -> None:
    if fork_owner:
        sandbox.state.create_user(fork_owner)
        sandbox.state.fork_repository("fortify-demo", "payments-api", fork_owner)
    sandbox.state.push_commit(fork_owner or "fortify-demo", "payments-api", FIX_BRANCH,
                              {FIX_PATH: FIXABLE_PY}, "Fetch exchange rates", notify=False)


def open_and_scan(sandbox, deliver, branch: str = FIX_BRANCH, *, fail: bool = False,
                  **options):
    """Open a PR from ``branch`` and scan it in this process; returns (payload, scan, run).

    ``fail`` ends the scan as failed instead (fast: no engines), the run that says "Re-run".
    """
    payload = open_pull_request(sandbox, "fortify-demo", "payments-api", branch, **options)
    event = deliver("pull_request", payload)
    assert event.status == "completed", event.last_error
    scan = ScanJob.objects.get(repository__github_id=payload["repository"]["id"],
                               pr_number=payload["number"],
                               head_sha=payload["pull_request"]["head"]["sha"])
    if fail:
        services.fail_scan(scan.pk, reason="A scan engine timed out.")
    else:
        services.run_scan(scan.pk)
    scan.refresh_from_db()
    (run,) = check_runs_for(sandbox, "fortify-demo", "payments-api", scan.head_sha)
    return payload, scan, run


def click(sandbox, deliver, run, identifier: str) -> CheckRunAction:
    """Press a button on ``run`` on GitHub and hand Fortify the webhook GitHub sends."""
    sandbox.state.request_check_run_action(run.id, identifier)
    event = deliver("check_run", last_payload(sandbox, "check_run", "requested_action"))
    assert event.status == "completed", event.last_error
    return CheckRunAction.objects.get(delivery_id=event.delivery_id)
