"""Sign in with GitHub: identity and encrypted tokens stored, state verified, sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.db import connection

from accounts.models import GitHubAuthorization, User
from installations.models import InstallationMembership
from tests.onboarding.conftest import authorize_on_github


@pytest.mark.django_db
def test_sign_in_stores_identity_tokens_encrypted_and_memberships(client, synced, sign_in):
    user = sign_in("octocat")
    assert user.is_active and user.github_id and user.avatar_url
    assert user.first_name == "The" and user.email == "octocat@example.com"
    authorization = GitHubAuthorization.objects.get(user=user)
    assert authorization.access_token.startswith("ghu_") and authorization.refresh_token
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM accounts_githubauthorization WHERE id = %s",
                       [authorization.pk])
        assert not cursor.fetchone()[0].startswith("ghu_")  # encrypted at rest
    # social-auth's own record holds no token in plain JSON.
    assert "access_token" not in user.social_auth.get().extra_data
    # GitHub lists both seeded installations for octocat: owner of his own, admin of the org.
    roles = {m.installation.account_login: m.role for m in
             InstallationMembership.objects.filter(user=user).select_related("installation")}
    assert roles == {"octocat": "owner", "fortify-demo": "admin"}
    assert client.get("/onboarding/").status_code == 200


@pytest.mark.django_db
def test_callback_with_a_wrong_state_is_refused(client, github_settings):
    callback = authorize_on_github(client, github_settings, "octocat")
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400
    assert "its state does not match" in response.content.decode()
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_callback_in_another_browser_is_refused(client, github_settings):
    from django.test import Client

    callback = authorize_on_github(client, github_settings, "octocat")
    response = Client().get(callback)  # no sign-in pending in that session
    assert response.status_code == 400
    assert "its state does not match" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_used_code_is_refused(client, github_settings, sign_in):
    callback = authorize_on_github(client, github_settings, "octocat")
    assert client.get(callback).status_code == 302
    client.logout()
    response = client.get(callback)
    assert response.status_code == 400


@pytest.mark.django_db
def test_sign_out_ends_the_session(client, github_settings, sign_in):
    sign_in("octocat")
    assert client.get("/onboarding/").status_code == 200
    assert client.get("/auth/logout/").status_code == 405  # a link cannot sign anyone out
    response = client.post("/auth/logout/")
    assert response.status_code == 302
    after = client.get("/onboarding/")
    assert after.status_code == 302 and urlsplit(after["Location"]).path == "/auth/sign-in/"


@pytest.mark.django_db
def test_sign_in_page_explains_what_is_shared_before_the_redirect(client):
    page = client.get("/auth/sign-in/?next=/onboarding/scan").content.decode()
    assert "no OAuth scopes" in page and "verified email" in page
    assert 'value="/onboarding/scan"' in page
    # An off-site `next` is not followed.
    assert 'value="https://evil.example' not in client.get(
        "/auth/sign-in/?next=https://evil.example/").content.decode()
