"""Admin for every model, and the operator actions, carried out by a real worker: re-run a
scan, sync an installation, re-apply branch protection (replaying events: tests/webhooks)."""

from __future__ import annotations

import pytest
from django.contrib import admin

from checks.models import ScanJob
from installations.models import Repository
from installations.sync import sync_installations
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for, open_pull_request

pytestmark = pytest.mark.worker


def test_every_product_model_has_an_admin():
    from django.apps import apps

    ours = ("accounts", "installations", "webhooks", "checks", "fortify_github")
    missing = [model._meta.label for model in apps.get_models()
               if model._meta.app_label in ours and model not in admin.site._registry
               and model._meta.model_name != "installationmembership"]  # an inline on main
    assert missing == []


@pytest.mark.django_db
def test_every_changelist_and_its_search_answer(admin_client):
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = admin_client.get(url, {"q": "x"} if model_admin.search_fields else {})
        assert response.status_code == 200, url


def _act(admin_client, model: str, action: str, pks: list[int]):
    response = admin_client.post(f"/admin/{model}/", {"action": action,
                                                      "_selected_action": pks}, follow=True)
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db(transaction=True)
def test_rerun_a_scan_from_the_admin(admin_client, celery_worker, worker_github_settings,
                                     deliver):
    sandbox = worker_github_settings
    sync_installations()
    payload = open_pull_request(sandbox, "fortify-demo", "payments-api", "vuln/sql-injection")
    deliver("pull_request", payload)
    head_sha = payload["pull_request"]["head"]["sha"]
    first = wait_until(lambda: ScanJob.objects.filter(
        head_sha=head_sha, status=ScanJob.Status.COMPLETED).first(), timeout=180,
        what="the first scan", log=celery_worker.log_path)

    messages = _act(admin_client, "checks/scanjob", "rerun_scans", [first.pk])
    assert messages == ["Re-running 1 scan(s)."]

    def rerun_completed():
        # The re-run's own check run (the session sandbox holds other tests' runs on this
        # commit too), completed on GitHub and recorded in the scan's row.
        rerun = ScanJob.objects.exclude(pk=first.pk).filter(
            head_sha=head_sha, status=ScanJob.Status.COMPLETED).first()
        if rerun is None:
            return None
        runs = [run for run in check_runs_for(sandbox, "fortify-demo", "payments-api", head_sha)
                if run.external_id == str(rerun.public_id)]
        return rerun if runs and runs[0].status == "completed" else None

    rerun = wait_until(rerun_completed, timeout=180, what="the re-run's completed check run",
                       log=celery_worker.log_path)
    assert rerun.trigger == ScanJob.Trigger.MANUAL


@pytest.mark.django_db(transaction=True)
def test_rerun_is_refused_while_the_pull_request_is_still_scanning(admin_client, db):
    from installations.models import Installation

    installation = Installation.objects.create(installation_id=1, account_id=2,
                                               account_login="acme")
    repository = Repository.objects.create(github_id=3, installation=installation,
                                           full_name="acme/api")
    scan = ScanJob.objects.create(repository=repository, installation=installation,
                                  pr_number=7, head_sha="a" * 40)
    messages = _act(admin_client, "checks/scanjob", "rerun_scans", [scan.pk])
    assert messages == ["Still scanning, not re-run: acme/api#7."]
    assert ScanJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_sync_and_protect_from_the_admin(admin_client, celery_worker, worker_github_settings):
    sandbox = worker_github_settings
    sync_installations()
    Repository.objects.filter(full_name="fortify-demo/payments-api").update(
        archived=True)  # out of date, as after a missed webhook
    installation = Repository.objects.get(full_name="fortify-demo/payments-api").installation
    messages = _act(admin_client, "installations/installation", "sync_with_github",
                    [installation.pk])
    assert messages[0].startswith("Syncing 1 installation(s)")
    wait_until(lambda: not Repository.objects.get(
        full_name="fortify-demo/payments-api").archived, timeout=60,
        what="the sync to correct the repository", log=celery_worker.log_path)

    repository = Repository.objects.get(full_name="fortify-demo/web-frontend")
    messages = _act(admin_client, "installations/repository", "reapply_branch_protection",
                    [repository.pk])
    assert messages[0].startswith("Applying branch protection on 1 repositories")
    wait_until(lambda: Repository.objects.get(pk=repository.pk).branch_protection_status
               == Repository.ProtectionStatus.ENABLED, timeout=60,
               what="branch protection", log=celery_worker.log_path)
    target = sandbox.state.repository("fortify-demo", "web-frontend")
    protection = target.protection[target.default_branch]
    contexts = [check["context"] for check in protection.required_status_checks["checks"]]
    assert "Fortify Security Scan" in contexts
