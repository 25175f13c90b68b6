"""Branch protection against the sandbox: our check is added, nothing of the team's is lost."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from installations.branch_protection import CHECK_NAME, protect_branch, unprotect_branch
from installations.models import Repository

pytestmark = pytest.mark.django_db


def _protection(sandbox, owner: str, repo: str, branch: str = "main"):
    import requests

    token = sandbox.state.issue_installation_token(
        next(i for i in sandbox.state.installations.values() if i.account.login == owner))
    response = requests.get(f"{sandbox.url}/repos/{owner}/{repo}/branches/{branch}/protection",
                            headers={"Authorization": f"token {token.token}",
                                     "Accept": "application/vnd.github+json"}, timeout=5)
    return response.status_code, response.json()


def test_existing_rules_are_kept_and_ours_is_added(synced):
    before_status, before = _protection(synced, "fortify-demo", "payments-api")
    assert before_status == 200
    repository = Repository.objects.get(full_name="fortify-demo/payments-api")

    outcome = protect_branch(repository)

    assert outcome.status == Repository.ProtectionStatus.ENABLED
    _, after = _protection(synced, "fortify-demo", "payments-api")
    checks = after["required_status_checks"]["checks"]
    assert {"context": CHECK_NAME, "app_id": int(synced.app.id)} in checks
    assert {"context": "ci/build", "app_id": 15368} in checks
    assert after["required_status_checks"]["strict"] is True
    assert after["enforce_admins"]["enabled"] is True
    assert after["required_pull_request_reviews"]["required_approving_review_count"] == 2
    assert after["required_pull_request_reviews"]["dismiss_stale_reviews"] is True
    for key in ("allow_force_pushes", "allow_deletions", "required_linear_history"):
        assert after[key] == before[key]
    repository.refresh_from_db()
    assert repository.branch_protection_status == Repository.ProtectionStatus.ENABLED
    assert repository.branch_protection_branch == "main"

    assert protect_branch(repository).changed is False, "a second call changes nothing"


def test_unprotected_branch_gets_the_defaults(synced):
    repository = Repository.objects.get(full_name="fortify-demo/web-frontend")
    assert _protection(synced, "fortify-demo", "web-frontend")[0] == 404

    outcome = protect_branch(repository)

    assert outcome.status == Repository.ProtectionStatus.ENABLED
    _, protection = _protection(synced, "fortify-demo", "web-frontend")
    assert protection["required_status_checks"]["checks"] == [
        {"context": CHECK_NAME, "app_id": int(synced.app.id)}]
    reviews = protection["required_pull_request_reviews"]
    assert reviews["required_approving_review_count"] == 1
    assert reviews["dismiss_stale_reviews"] is True
    assert protection["allow_force_pushes"]["enabled"] is False
    assert protection["allow_deletions"]["enabled"] is False


def test_missing_permission_is_recorded_without_exception(synced):
    repository = Repository.objects.get(full_name="octocat/hello-world")
    outcome = protect_branch(repository)
    assert outcome.status == Repository.ProtectionStatus.FAILED
    assert "administration:write" in outcome.reason
    repository.refresh_from_db()
    assert repository.branch_protection_status == Repository.ProtectionStatus.FAILED
    assert "administration:write" in repository.branch_protection_reason


def test_github_refusal_is_recorded_and_not_retried(synced):
    """Our records say administration:write, GitHub disagrees (403): a reason, no retry."""
    repository = Repository.objects.get(full_name="octocat/hello-world")
    installation = repository.installation
    installation.permissions = {**installation.permissions, "administration": "write"}
    installation.save()
    before = len(synced.state.requests_to("GET", "/repos/octocat/hello-world/branches/*"))

    outcome = protect_branch(repository)

    assert outcome.status == Repository.ProtectionStatus.FAILED
    assert "refused" in outcome.reason
    after = len(synced.state.requests_to("GET", "/repos/octocat/hello-world/branches/*"))
    assert after - before == 1


def test_disabling_removes_only_our_check(synced):
    repository = Repository.objects.get(full_name="fortify-demo/payments-api")
    protect_branch(repository)

    outcome = unprotect_branch(repository)

    assert outcome.status == Repository.ProtectionStatus.REMOVED
    _, after = _protection(synced, "fortify-demo", "payments-api")
    assert after["required_status_checks"]["checks"] == [{"context": "ci/build",
                                                          "app_id": 15368}]
    assert after["enforce_admins"]["enabled"] is True
    assert after["required_pull_request_reviews"]["required_approving_review_count"] == 2


def test_enable_repository_command(synced):
    from io import StringIO

    out = StringIO()
    call_command("enable_repository", "fortify-demo/web-frontend", "--protect-branch",
                 "--threshold", "medium", stdout=out)
    repository = Repository.objects.get(full_name="fortify-demo/web-frontend")
    assert repository.enabled and repository.failure_threshold == "MEDIUM"
    assert repository.branch_protection_status == Repository.ProtectionStatus.ENABLED
    assert "branch protection enabled" in out.getvalue()

    call_command("enable_repository", "fortify-demo/web-frontend", "--disable", stdout=out)
    repository.refresh_from_db()
    assert not repository.enabled
    assert repository.branch_protection_status == Repository.ProtectionStatus.REMOVED
    _, protection = _protection(synced, "fortify-demo", "web-frontend")
    assert protection["required_status_checks"]["checks"] == []


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "is not OWNER/REPO"),
    (["fortify-demo/unknown"], "Fortify does not know fortify-demo/unknown"),
    (["fortify-demo/web-frontend", "--disable", "--protect-branch"], "contradict"),
    (["octocat/hello-world", "--protect-branch"], "Branch protection not configured"),
])
def test_enable_repository_bad_input(synced, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("enable_repository", *args)


def test_an_any_source_check_stays_any_source(synced):
    """GitHub pins a check sent without app_id to whoever last reported it: ours must not."""
    import requests

    state = synced.state
    state.set_branch_protection("fortify-demo", "web-frontend", "main", {
        "required_status_checks": {"strict": False, "contexts": ["lint"]},
        "enforce_admins": False, "required_pull_request_reviews": None, "restrictions": None})
    org = next(i for i in state.installations.values() if i.account.login == "fortify-demo")
    token = state.issue_installation_token(org).token
    head = state.repository("fortify-demo", "web-frontend").branches["main"]
    created = requests.post(f"{synced.url}/repos/fortify-demo/web-frontend/check-runs",
                            headers={"Authorization": f"token {token}"}, timeout=5,
                            json={"name": "lint", "head_sha": head})
    assert created.status_code == 201  # some App reported "lint" recently

    protect_branch(Repository.objects.get(full_name="fortify-demo/web-frontend"))

    _, after = _protection(synced, "fortify-demo", "web-frontend")
    assert {"context": "lint", "app_id": None} in after["required_status_checks"]["checks"]


def test_protected_branch_without_status_checks_keeps_every_rule(synced):
    """The one path that PUTs the whole protection: every existing setting must survive."""
    synced.state.set_branch_protection("fortify-demo", "web-frontend", "main", {
        "required_status_checks": None,
        "enforce_admins": True,
        "required_pull_request_reviews": {
            "required_approving_review_count": 2, "dismiss_stale_reviews": True,
            "require_code_owner_reviews": True, "require_last_push_approval": True,
            "dismissal_restrictions": {"users": ["octocat"], "teams": []},
            "bypass_pull_request_allowances": {"users": ["octocat"], "teams": []}},
        "restrictions": {"users": ["octocat"], "teams": [], "apps": []},
        "required_linear_history": True,
        "required_conversation_resolution": True,
        "allow_force_pushes": False,
        "allow_deletions": False,
    })
    _, before = _protection(synced, "fortify-demo", "web-frontend")

    outcome = protect_branch(Repository.objects.get(full_name="fortify-demo/web-frontend"))

    assert outcome.status == Repository.ProtectionStatus.ENABLED
    _, after = _protection(synced, "fortify-demo", "web-frontend")
    assert after["required_status_checks"]["checks"] == [
        {"context": CHECK_NAME, "app_id": int(synced.app.id)}]
    for key in ("enforce_admins", "required_linear_history",
                "required_conversation_resolution", "allow_force_pushes", "allow_deletions"):
        assert after[key]["enabled"] == before[key]["enabled"], key
    reviews_before, reviews_after = (before["required_pull_request_reviews"],
                                     after["required_pull_request_reviews"])
    for key in ("required_approving_review_count", "dismiss_stale_reviews",
                "require_code_owner_reviews", "require_last_push_approval"):
        assert reviews_after[key] == reviews_before[key], key
    for section in ("dismissal_restrictions", "bypass_pull_request_allowances"):
        assert [u["login"] for u in reviews_after[section]["users"]] == ["octocat"], section
    assert [u["login"] for u in after["restrictions"]["users"]] == ["octocat"]


def test_disabling_from_the_admin_removes_our_required_check(synced, admin_client):
    repository = Repository.objects.get(full_name="fortify-demo/payments-api")
    protect_branch(repository)

    response = admin_client.post("/admin/installations/repository/", {
        "action": "disable_scanning", "_selected_action": [repository.pk]}, follow=True)

    assert response.status_code == 200
    repository.refresh_from_db()
    assert not repository.enabled
    assert repository.branch_protection_status == Repository.ProtectionStatus.REMOVED
    _, after = _protection(synced, "fortify-demo", "payments-api")
    assert [c["context"] for c in after["required_status_checks"]["checks"]] == ["ci/build"]


def test_removing_from_a_branch_github_hides_is_reported_not_assumed(synced):
    """404 "Branch not protected" means nothing to remove; any other 404 is a problem."""
    repository = Repository.objects.get(full_name="fortify-demo/web-frontend")
    assert unprotect_branch(repository, "main").status == Repository.ProtectionStatus.REMOVED
    outcome = unprotect_branch(repository, "no-such-branch")
    assert outcome.status == Repository.ProtectionStatus.FAILED
    assert outcome.reason
