"""Memberships follow GitHub: granted from GET /user/installations at sign-in, withdrawn
when GitHub stops listing an installation, revokes the grant, or removes an org member."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import GitHubAuthorization
from installations.models import InstallationMembership
from installations.sync import sync_installations
from onboarding.memberships import memberships_recheck


def _accounts(user) -> set[str]:
    return set(InstallationMembership.objects.filter(user=user).values_list(
        "installation__account_login", flat=True))


@pytest.mark.django_db
def test_losing_access_on_github_loses_the_membership_at_the_next_recheck(synced, sign_in):
    user = sign_in("octocat")
    assert _accounts(user) == {"octocat", "fortify-demo"}
    synced.state.accounts["fortify-demo"].admins.discard("octocat")
    assert memberships_recheck(user) is not None
    assert _accounts(user) == {"octocat"}


@pytest.mark.django_db
def test_a_revoked_authorization_drops_tokens_and_memberships(synced, sign_in, deliver):
    user = sign_in("octocat")
    payload = {"action": "revoked", "sender": {"login": "octocat", "id": user.github_id,
                                               "type": "User"}}
    event = deliver("github_app_authorization", payload)
    assert event.status == "completed"
    assert not _accounts(user)
    authorization = GitHubAuthorization.objects.get(user=user)
    assert authorization.needs_reauth and not authorization.access_token
    assert memberships_recheck(user) is None  # no token: nothing to ask GitHub with


@pytest.mark.django_db
def test_an_organization_member_removed_loses_that_organizations_installations(
        synced, sign_in, deliver):
    user = sign_in("octocat")
    org = synced.state.accounts["fortify-demo"]
    payload = {"action": "member_removed",
               "membership": {"state": "active", "role": "member",
                              "user": {"login": "octocat", "id": user.github_id}},
               "organization": {"login": "fortify-demo", "id": org.id},
               "sender": {"login": "octocat", "id": user.github_id}}
    event = deliver("organization", payload)
    assert event.status == "completed"
    assert _accounts(user) == {"octocat"}


@pytest.mark.django_db
def test_roles_follow_github_owner_admin_member(synced, sign_in):
    synced.state.create_org("team-x", admins=("octocat",), members=("mona-contrib",))
    synced.state.create_installation("team-x", notify=False)
    sync_installations()
    octocat = sign_in("octocat")
    mona = sign_in("mona-contrib", client=Client())
    role = {(m.user.github_login, m.installation.account_login): m.role
            for m in InstallationMembership.objects.select_related("user", "installation")}
    assert role[("octocat", "team-x")] == "admin"
    assert role[("octocat", "octocat")] == "owner"
    assert role[("mona-contrib", "team-x")] == "member"
    assert octocat.pk != mona.pk
