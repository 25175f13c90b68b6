"""Every installation/repository lifecycle event, with GitHub's example payloads, through the
real receiver and the real processing function."""

from __future__ import annotations

import pytest

from installations.models import Installation, MarketplacePlan, Repository

pytestmark = pytest.mark.django_db

INSTALLATION_ID = 957387  # the id in GitHub's example installation payloads


@pytest.fixture
def installed(deliver, fixture):
    event = deliver("installation", fixture("installation", "created"))
    assert event.status == "completed", event.last_error
    return Installation.objects.get(installation_id=INSTALLATION_ID)


def _with_installation(payload: dict, installation_id: int = INSTALLATION_ID) -> dict:
    payload["installation"] = {"id": installation_id, "node_id": "MDIzOkluc3RhbGxhdGlvbg=="}
    return payload


def test_created_records_installation_and_repositories(installed, fixture):
    payload = fixture("installation", "created")
    assert installed.account_login == payload["installation"]["account"]["login"]
    assert installed.account_type == payload["installation"]["account"]["type"]
    assert installed.permissions == payload["installation"]["permissions"]
    assert installed.status == Installation.Status.ACTIVE
    names = sorted(repo["full_name"] for repo in payload["repositories"])
    assert sorted(installed.repositories.values_list("full_name", flat=True)) == names
    assert all(repo.enabled and repo.is_installed for repo in installed.repositories.all())


def test_deleted_installation_stops_scanning_but_keeps_history(installed, deliver, fixture):
    repository_ids = set(installed.repositories.values_list("pk", flat=True))
    assert Repository.objects.scannable().filter(installation=installed).exists()
    payload = fixture("installation", "deleted")
    payload["installation"]["id"] = INSTALLATION_ID
    assert deliver("installation", payload).status == "completed"
    installed.refresh_from_db()
    assert installed.status == Installation.Status.DELETED
    assert installed.deleted_at is not None
    assert set(installed.repositories.values_list("pk", flat=True)) == repository_ids
    assert not Repository.objects.scannable().filter(installation=installed).exists()


def test_suspend_and_unsuspend(installed, deliver, fixture):
    payload = fixture("installation", "suspend")
    payload["installation"]["id"] = INSTALLATION_ID
    deliver("installation", payload)
    installed.refresh_from_db()
    assert installed.status == Installation.Status.SUSPENDED
    assert installed.suspended_at is not None
    assert not Repository.objects.scannable().filter(installation=installed).exists()

    payload = fixture("installation", "unsuspend")
    payload["installation"]["id"] = INSTALLATION_ID
    deliver("installation", payload)
    installed.refresh_from_db()
    assert installed.status == Installation.Status.ACTIVE
    assert installed.suspended_at is None
    assert Repository.objects.scannable().filter(installation=installed).exists()


def test_new_permissions_update_what_is_allowed(installed, deliver, fixture):
    from installations.permissions import installation_allows

    installed.permissions = {"checks": "write", "contents": "read", "metadata": "read"}
    installed.save()
    assert not installation_allows(installed, "branch_protection")
    installed.refresh_from_db()
    assert "administration:write" in installed.permission_warnings["branch_protection"][
        "message"]
    payload = fixture("installation", "new_permissions_accepted")
    payload["installation"]["id"] = INSTALLATION_ID
    payload["installation"]["permissions"] = {**installed.permissions,
                                              "administration": "write"}
    deliver("installation", payload)
    installed.refresh_from_db()
    assert installed.permissions["administration"] == "write"
    assert "branch_protection" not in installed.permission_warnings
    assert installation_allows(installed, "branch_protection")


def test_missing_permission_is_recorded_not_raised(installed):
    from installations.permissions import installation_allows

    installed.permissions = {"metadata": "read"}
    installed.save()
    assert installation_allows(installed, "report") is False
    installed.refresh_from_db()
    warning = installed.permission_warnings["report"]
    assert warning["missing"] == ["checks:write"]
    assert "Accept the new permissions on GitHub" in warning["message"]


def test_repositories_added_and_removed(installed, deliver, fixture):
    added = fixture("installation_repositories", "added")
    added["installation"]["id"] = INSTALLATION_ID
    deliver("installation_repositories", added)
    for repo in added["repositories_added"]:
        assert Repository.objects.get(github_id=repo["id"]).installation == installed

    removed = fixture("installation_repositories", "removed")
    removed["installation"]["id"] = INSTALLATION_ID
    gone = removed["repositories_removed"]
    for repo in gone:  # make sure each removed repository was covered first
        Repository.objects.update_or_create(github_id=repo["id"], defaults={
            "full_name": repo["full_name"], "installation": installed, "is_installed": True})
    deliver("installation_repositories", removed)
    for repo in gone:
        record = Repository.objects.get(github_id=repo["id"])
        assert not record.is_installed
        assert record.removed_at is not None


def test_account_rename_follows_to_repository_names(installed, deliver, fixture):
    payload = fixture("installation_target", "renamed")
    payload["installation"]["id"] = INSTALLATION_ID
    old = payload["changes"]["login"]["from"]
    new = payload["account"]["login"]
    installed.repositories.update(full_name=f"{old}/kept-repo")
    deliver("installation_target", payload)
    installed.refresh_from_db()
    assert installed.account_login == new
    assert set(installed.repositories.values_list("full_name", flat=True)) == {
        f"{new}/kept-repo"}


def test_rename_keeps_history_and_settings(installed, deliver, fixture):
    payload = _with_installation(fixture("repository", "renamed"))
    repo_id = payload["repository"]["id"]
    repository, _ = Repository.objects.update_or_create(github_id=repo_id, defaults={
        "full_name": "old-owner/old-name", "installation": installed, "failure_threshold": "LOW",
        "excluded_paths": ["vendor/**"], "scan_mode": "full"})
    deliver("repository", payload)
    repository.refresh_from_db()
    assert repository.full_name == payload["repository"]["full_name"]
    assert (repository.failure_threshold, repository.excluded_paths, repository.scan_mode) == (
        "LOW", ["vendor/**"], "full")
    assert Repository.objects.filter(github_id=repo_id).count() == 1


def test_transfer_to_another_account(installed, deliver, fixture):
    payload = _with_installation(fixture("repository", "transferred"))
    repo_id = payload["repository"]["id"]
    previous_owner = payload["changes"]["owner"]["from"]["user"]["login"]
    Repository.objects.create(github_id=repo_id, installation=installed,
                              full_name=f"{previous_owner}/{payload['repository']['name']}")
    deliver("repository", payload)
    repository = Repository.objects.get(github_id=repo_id)
    assert repository.full_name == payload["repository"]["full_name"]
    assert repository.owner == payload["repository"]["owner"]["login"]
    assert repository.installation == installed


@pytest.mark.parametrize(("action", "archived"), [("archived", True), ("unarchived", False)])
def test_archive_state(installed, deliver, fixture, action, archived):
    payload = _with_installation(fixture("repository", action))
    deliver("repository", payload)
    repository = Repository.objects.get(github_id=payload["repository"]["id"])
    assert repository.archived is archived
    assert Repository.objects.scannable().filter(pk=repository.pk).exists() is not archived


def test_default_branch_edit(installed, deliver, fixture):
    payload = _with_installation(fixture("repository", "edited"))
    payload["repository"]["default_branch"] = "trunk"
    payload["changes"] = {"default_branch": {"from": "main"}}
    deliver("repository", payload)
    assert Repository.objects.get(github_id=payload["repository"]["id"]).default_branch == \
        "trunk"


def test_repository_deleted(installed, deliver, fixture):
    payload = _with_installation(fixture("repository", "deleted"))
    Repository.objects.create(github_id=payload["repository"]["id"], installation=installed,
                              full_name=payload["repository"]["full_name"])
    deliver("repository", payload)
    repository = Repository.objects.get(github_id=payload["repository"]["id"])
    assert repository.deleted_at is not None
    assert not repository.enabled


@pytest.mark.parametrize("action", ["purchased", "changed", "cancelled", "pending_change",
                                    "pending_change_cancelled"])
def test_marketplace_purchase(deliver, fixture, action):
    payload = fixture("marketplace_purchase", action)
    event = deliver("marketplace_purchase", payload)
    assert event.status == "completed", event.last_error
    plan = MarketplacePlan.objects.get(
        account_id=payload["marketplace_purchase"]["account"]["id"])
    purchase_plan = payload["marketplace_purchase"]["plan"]
    if action in {"purchased", "changed"}:
        assert plan.plan_name == purchase_plan["name"]
        assert plan.status == MarketplacePlan.Status.ACTIVE
    elif action == "cancelled":
        assert plan.status == MarketplacePlan.Status.CANCELLED
        assert plan.cancelled_at is not None
    elif action == "pending_change":
        assert plan.pending_plan_name == purchase_plan["name"]
        assert plan.pending_effective_date is not None
    else:
        assert plan.pending_plan_name == ""


def test_pending_change_then_cancelled_clears_only_the_pending_plan(deliver, fixture):
    deliver("marketplace_purchase", fixture("marketplace_purchase", "purchased"))
    account_id = fixture("marketplace_purchase", "purchased")["marketplace_purchase"][
        "account"]["id"]
    pending = fixture("marketplace_purchase", "pending_change")
    pending["marketplace_purchase"]["account"]["id"] = account_id
    deliver("marketplace_purchase", pending)
    cancelled = fixture("marketplace_purchase", "pending_change_cancelled")
    cancelled["marketplace_purchase"]["account"]["id"] = account_id
    deliver("marketplace_purchase", cancelled)
    plan = MarketplacePlan.objects.get(account_id=account_id)
    assert plan.pending_plan_name == ""
    assert plan.plan_name == fixture("marketplace_purchase", "purchased")[
        "marketplace_purchase"]["plan"]["name"]


def test_unknown_installation_heals_from_github(github_settings, deliver, fixture):
    """A repository event for an installation we never saw: it is fetched and recorded."""
    org = next(inst for inst in github_settings.state.installations.values()
               if inst.account.login == "fortify-demo")
    payload = _with_installation(fixture("repository", "archived"), org.id)
    deliver("repository", payload)
    installation = Installation.objects.get(installation_id=org.id)
    assert installation.account_login == "fortify-demo"
    assert installation.permissions["administration"] == "write"
    assert Repository.objects.get(github_id=payload["repository"]["id"]).installation == \
        installation


def test_revoked_authorization_forgets_the_users_tokens(deliver, fixture, django_user_model):
    from accounts.models import GitHubAuthorization
    from accounts.services import github_authorization_store
    from fortify_github.github.oauth import UserToken

    payload = fixture("github_app_authorization", "revoked")
    user = django_user_model.objects.create(username="revoker")
    github_authorization_store(user=user, github_user_id=payload["sender"]["id"], token=UserToken(
        access_token="ghu_" + "a" * 36, token_type="bearer", scope="", expires_at=None,
        refresh_token="ghr_" + "b" * 76))

    assert deliver("github_app_authorization", payload).status == "completed"

    authorization = GitHubAuthorization.objects.get(user=user)
    assert authorization.needs_reauth
    assert authorization.access_token == "" and authorization.refresh_token == ""


def test_deleting_an_installation_drops_its_cached_token(github_settings, deliver, fixture):
    from fortify_github.github.tokens import installation_token
    from installations.sync import sync_installations
    from tests.installations.conftest import sandbox_installation

    sync_installations()
    org = sandbox_installation(github_settings, "fortify-demo")
    installation_token(org.id)
    requested = github_settings.state.token_requests
    installation_token(org.id)
    assert github_settings.state.token_requests == requested, "the token is cached"

    payload = fixture("installation", "deleted")
    payload["installation"]["id"] = org.id
    deliver("installation", payload)

    installation_token(org.id)
    assert github_settings.state.token_requests == requested + 1, "fetched anew after delete"


def test_a_late_suspend_event_does_not_bring_back_an_uninstalled_app(installed, deliver,
                                                                     fixture):
    deleted = fixture("installation", "deleted")
    deleted["installation"]["id"] = INSTALLATION_ID
    deliver("installation", deleted)
    for action in ("suspend", "unsuspend"):
        late = fixture("installation", action)
        late["installation"]["id"] = INSTALLATION_ID
        deliver("installation", late)
        installed.refresh_from_db()
        assert installed.status == Installation.Status.DELETED, action


def test_account_rename_matches_the_old_login_in_any_case(installed, deliver, fixture):
    payload = fixture("installation_target", "renamed")
    payload["installation"]["id"] = INSTALLATION_ID
    old, new = payload["changes"]["login"]["from"], payload["account"]["login"]
    installed.repositories.update(full_name=f"{old.lower()}/kept-repo")
    deliver("installation_target", payload)
    assert set(installed.repositories.values_list("full_name", flat=True)) == {
        f"{new}/kept-repo"}


@pytest.mark.parametrize("bad_size", [-1, "1024", 12.5, True, None])
def test_a_malformed_repository_size_is_ignored_not_fatal(installed, bad_size):
    from installations.services import repository_for_event, repository_upsert

    data = {"id": 424242, "full_name": "octo-org/sized", "size": 2048}
    recorded = repository_upsert(installed, data)
    assert recorded.size_kb == 2048

    again = repository_upsert(installed, {**data, "size": bad_size})
    assert again.size_kb == 2048, "an unusable size leaves the last good one"
    by_event = repository_for_event(installed, {**data, "size": bad_size})
    assert by_event.size_kb == 2048
    assert repository_for_event(installed, {**data, "size": 4096}).size_kb == 4096
    assert Repository.objects.get(github_id=424242).size_kb == 4096
