"""The setup URL trusts nothing in its query string: each bad input links nothing and says
why. Signed in through the sandbox's OAuth; GitHub answers ``GET /user/installations``."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.linking import user_link_github
from installations.models import Installation, InstallationMembership, Repository
from onboarding.models import InstallRequest
from onboarding.services import _state_for


def _request_for(user, *, target: str = "octocat", **fields) -> tuple[InstallRequest, str]:
    repository = Repository.objects.get(full_name="octocat/hello-world")
    request = InstallRequest.objects.create(
        user=user, target_account_id=user.github_id or 1, target_account_login=target,
        repository=repository, nonce=secrets.token_urlsafe(24),
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(hours=1)), **fields)
    return request, _state_for(request)


def _installation_id(sandbox, login: str) -> int:
    from github_sandbox.testing import installation_id_for

    return installation_id_for(sandbox, login)


def _setup(client, state: str, installation_id, action: str = "install"):
    return client.get("/github/setup", {"installation_id": installation_id,
                                        "setup_action": action, "state": state})


@pytest.fixture
def octocat(synced, sign_in):
    user = sign_in("octocat")
    InstallationMembership.objects.filter(user=user).delete()  # start from nothing linked
    Repository.objects.filter(full_name="octocat/hello-world").update(enabled=False)
    return user


def _nothing_linked(user) -> bool:
    return not InstallationMembership.objects.filter(user=user).exists() and not \
        Repository.objects.get(full_name="octocat/hello-world").enabled


@pytest.mark.django_db
def test_a_valid_state_and_visible_installation_link_and_enable(client, octocat, synced):
    request, state = _request_for(octocat)
    response = _setup(client, state, _installation_id(synced, "octocat"))
    assert response.status_code == 302 and response["Location"].endswith(
        f"/onboarding/requests/{request.pk}")
    membership = InstallationMembership.objects.get(user=octocat)
    assert membership.role == "owner" and membership.is_primary_contact
    assert membership.installation.setup_source == Installation.SetupSource.ONBOARDING
    assert Repository.objects.get(full_name="octocat/hello-world").enabled
    request.refresh_from_db()
    assert request.used_at and request.status == InstallRequest.Status.COMPLETED
    page = client.get(response["Location"]).content.decode()
    assert "Every pull request on <strong>octocat/hello-world</strong>" in page


@pytest.mark.django_db
def test_a_forged_installation_id_links_nothing(client, octocat):
    request, state = _request_for(octocat)
    response = _setup(client, state, 987654321)
    assert response.status_code == 400
    assert "GitHub does not list installation 987654321" in response.content.decode()
    assert _nothing_linked(octocat)
    request.refresh_from_db()
    assert request.used_at is None  # a refused attempt does not burn the user's request


@pytest.mark.django_db
def test_another_users_installation_links_nothing(client, octocat, synced):
    synced.state.create_user("mallory")
    synced.state.create_installation("mallory", notify=False)
    _, state = _request_for(octocat)
    theirs = _installation_id(synced, "mallory")
    response = _setup(client, state, theirs)
    assert response.status_code == 400
    assert f"GitHub does not list installation {theirs}" in response.content.decode()
    assert _nothing_linked(octocat)
    assert not Installation.objects.filter(installation_id=theirs).exists()


@pytest.mark.django_db
def test_a_reused_state_is_refused(client, octocat, synced):
    _, state = _request_for(octocat)
    installation_id = _installation_id(synced, "octocat")
    assert _setup(client, state, installation_id).status_code == 302
    InstallationMembership.objects.filter(user=octocat).delete()
    response = _setup(client, state, installation_id)
    assert response.status_code == 400
    assert "already used" in response.content.decode()
    assert not InstallationMembership.objects.filter(user=octocat).exists()


@pytest.mark.django_db
def test_an_expired_state_is_refused(client, octocat, synced):
    _, state = _request_for(octocat, expires_at=timezone.now() - timedelta(seconds=1))
    response = _setup(client, state, _installation_id(synced, "octocat"))
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert _nothing_linked(octocat)


@pytest.mark.django_db
def test_another_users_state_is_refused(client, octocat, synced):
    someone, _ = user_link_github(github_id=424242, login="someone-else")
    _, state = _request_for(someone)
    response = _setup(client, state, _installation_id(synced, "octocat"))
    assert response.status_code == 400
    assert "started by another Fortify account" in response.content.decode()
    assert _nothing_linked(octocat)


@pytest.mark.django_db
def test_a_tampered_or_unknown_state_is_refused(client, octocat, synced):
    _, state = _request_for(octocat)
    response = _setup(client, state[:-2] + "xx", _installation_id(synced, "octocat"))
    assert response.status_code == 400
    assert "not one Fortify issued" in response.content.decode()
    assert _nothing_linked(octocat)


@pytest.mark.django_db
def test_a_signed_out_visitor_with_a_real_state_is_sent_to_sign_in_first(client, synced):
    someone, _ = user_link_github(github_id=424242, login="someone-else")
    _, state = _request_for(someone)
    response = client.get("/github/setup", {"installation_id": 1, "setup_action": "install",
                                            "state": state})
    assert response.status_code == 302 and response["Location"].startswith("/auth/sign-in/")


@pytest.mark.django_db
def test_an_organization_approval_request_gets_its_own_page(client, octocat):
    request, state = _request_for(octocat, target="fortify-demo")
    response = client.get("/github/setup", {"setup_action": "request", "state": state},
                          follow=True)
    assert response.status_code == 200
    assert "Waiting for approval" in response.content.decode()
    request.refresh_from_db()
    assert request.status == InstallRequest.Status.AWAITING_APPROVAL and request.used_at
    assert _nothing_linked(octocat)


@pytest.mark.django_db
def test_without_a_state_the_direct_path_links_nothing(client, octocat, synced):
    response = client.get("/github/setup", {"installation_id": _installation_id(synced, "octocat"),
                                            "setup_action": "install"})
    assert response.status_code == 200
    assert _nothing_linked(octocat)
    assert client.get("/github/setup", {"setup_action": "bogus"}).status_code == 400


@pytest.mark.django_db
def test_no_page_shows_another_users_scan_or_install_request(client, octocat):
    someone, _ = user_link_github(github_id=424242, login="someone-else")
    request, _ = _request_for(someone)
    assert client.get(f"/onboarding/requests/{request.pk}").status_code == 404


@pytest.mark.django_db
def test_a_member_request_on_github_comes_back_as_awaiting_approval(client, octocat, synced):
    import requests

    synced.app.setup_url = "http://testserver/github/setup"
    synced.state.create_org("big-corp", admins=("the-boss",), members=("octocat",))
    request, state = _request_for(octocat, target="big-corp")
    install_page = f"{synced.url}/apps/{synced.app.slug}/installations/new"
    page = requests.get(install_page, params={"state": state}, timeout=10).text
    assert "big-corp" in page and "Request</button>" in page
    asked = requests.post(install_page, allow_redirects=False, timeout=10, data={
        "account": "big-corp", "request": "1", "state": state})
    assert asked.status_code == 302
    location = asked.headers["Location"].removeprefix("http://testserver")
    assert "setup_action=request" in location and "installation_id" not in location
    assert synced.state.installation_requests == [
        {"account": "big-corp", "requester": "octocat", "repositories": []}]
    response = client.get(location, follow=True)
    assert "Waiting for approval" in response.content.decode()
    request.refresh_from_db()
    assert request.status == InstallRequest.Status.AWAITING_APPROVAL
    assert _nothing_linked(octocat)
