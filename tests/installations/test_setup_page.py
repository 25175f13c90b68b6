"""GitHub's setup URL without a state (an install not started from Fortify's onboarding): a
confirmation that reveals nothing about any installation. With a state: tests/onboarding."""

from __future__ import annotations

import pytest

from installations.models import Installation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("action", "title"), [
    ("install", "Fortify is installed"),
    ("update", "Your Fortify installation was updated"),
    ("request", "Your request to install Fortify was sent"),
])
def test_setup_page_confirms_each_setup_action(client, action, title):
    response = client.get("/github/setup", {"installation_id": "123", "setup_action": action})
    assert response.status_code == 200
    assert title in response.content.decode()


def test_setup_page_shows_no_installation_data(client):
    Installation.objects.create(installation_id=4242, account_id=7, account_login="secret-org",
                                account_type="Organization", target_type="Organization")
    response = client.get("/github/setup", {"installation_id": "4242",
                                            "setup_action": "install"})
    assert "secret-org" not in response.content.decode()


def test_unknown_setup_action_is_a_clear_400(client):
    response = client.get("/github/setup", {"setup_action": "<script>"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown setup step" in body
    assert "<script>" not in body


def test_a_state_fortify_never_issued_is_refused_without_sign_in(client):
    response = client.get("/github/setup", {"installation_id": "123", "setup_action": "install",
                                            "state": "abc"})
    assert response.status_code == 400
    assert "not one Fortify issued" in response.content.decode()
