"""Reconciliation against the sandbox: drift that no webhook announced is repaired."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from installations.models import Installation, Repository
from tests.installations.conftest import sandbox_installation

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("sync_installations", *args, stdout=out)
    return out.getvalue()


def test_first_sync_records_every_installation_and_repository(github_settings):
    output = _run()
    org = Installation.objects.get(account_login="fortify-demo")
    assert set(org.repositories.values_list("full_name", flat=True)) == {
        "fortify-demo/payments-api", "fortify-demo/web-frontend"}
    assert Installation.objects.get(account_login="octocat").repositories.filter(
        full_name="octocat/hello-world").exists()
    assert "repository fortify-demo/payments-api added" in output
    assert Repository.objects.get(full_name="fortify-demo/payments-api").languages


def test_repository_added_and_removed_without_webhooks_are_repaired(github_settings):
    _run()
    sandbox_org = sandbox_installation(github_settings, "fortify-demo")
    github_settings.state.add_repository_to_installation(
        sandbox_org.id, "fortify-demo", "inventory-service", notify=False)
    github_settings.state.remove_repository_from_installation(
        sandbox_org.id, "fortify-demo", "web-frontend", notify=False)

    preview = _run("--dry-run")
    assert "would: repository fortify-demo/inventory-service added to fortify-demo" in preview
    assert "would: repository fortify-demo/web-frontend removed from fortify-demo" in preview
    assert not Repository.objects.filter(full_name="fortify-demo/inventory-service").exists()

    output = _run("--installation", str(sandbox_org.id))
    assert "repository fortify-demo/inventory-service added" in output
    assert "repository fortify-demo/web-frontend removed" in output
    assert Repository.objects.scannable().filter(
        full_name="fortify-demo/inventory-service").exists()
    removed = Repository.objects.get(full_name="fortify-demo/web-frontend")
    assert not removed.is_installed and removed.removed_at is not None

    assert "0 change(s)" in _run()


def test_installation_deleted_on_github_is_marked_deleted(github_settings):
    _run()
    octocat = sandbox_installation(github_settings, "octocat")
    github_settings.state.delete_installation(octocat.id, notify=False)
    output = _run()
    assert f"installation {octocat.id} (octocat) deleted on GitHub" in output
    assert Installation.objects.get(installation_id=octocat.id).status == \
        Installation.Status.DELETED


def test_github_unreachable_is_a_clear_command_error(settings):
    from django.core.management.base import CommandError

    from tests.support.keys import rsa_private_key_pem
    from tests.support.processes import free_port

    settings.GITHUB_API_URL = f"http://127.0.0.1:{free_port()}"
    settings.GITHUB_APP_ID = "1"
    settings.GITHUB_APP_PRIVATE_KEY = rsa_private_key_pem()
    with pytest.raises(CommandError, match="GitHub could not be read"):
        _run()


def test_one_unreadable_installation_does_not_stop_the_others(github_settings):
    octocat = sandbox_installation(github_settings, "octocat")
    github_settings.state.faults.add("POST", f"/app/installations/{octocat.id}/access_tokens",
                                     "server_error", times=1, status=404)
    output = _run()
    assert f"installation {octocat.id}: could not be read (NotFound)" in output
    assert Installation.objects.get(account_login="fortify-demo").repositories.count() == 2


def test_a_list_cut_at_the_page_cap_removes_nothing(github_settings, settings):
    """Reconciliation acts on what is missing; a truncated list must not look like removals."""
    _run()
    for number in range(101):
        github_settings.state.create_repository("octocat", f"tool-{number:03}",
                                                files={"README.md": "tool\n"})
    settings.GITHUB_MAX_PAGES = 1

    output = _run()

    octocat = sandbox_installation(github_settings, "octocat")
    assert f"installation {octocat.id}: could not be read (IncompleteList)" in output
    assert Repository.objects.get(full_name="octocat/hello-world").is_installed
