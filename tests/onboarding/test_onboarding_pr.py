"""The opt-in onboarding pull request: `.fortify.yml` proposed on a branch, the default
branch untouched; without contents:write the person is told why there is none."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.linking import user_link_github
from installations.models import Installation, Repository
from installations.sync import sync_installations
from onboarding.models import InstallRequest
from onboarding.onboarding_pr import BRANCH, onboarding_pr_open

WRITE = {"checks": "write", "contents": "write", "metadata": "read",
         "pull_requests": "write", "administration": "write"}


def _request(login: str) -> InstallRequest:
    user, _ = user_link_github(github_id=777, login=login)
    installation = Installation.objects.get(account_login=login)
    return InstallRequest.objects.create(
        user=user, target_account_id=installation.account_id, target_account_login=login,
        repository=Repository.objects.get(full_name=f"{login}/app"), installation=installation,
        open_onboarding_pr=True, nonce=secrets.token_urlsafe(8),
        expires_at=timezone.now() + timedelta(hours=1))


@pytest.mark.django_db
def test_the_onboarding_pr_adds_the_config_on_a_branch(github_settings):
    state = github_settings.state
    state.create_user("renata")
    state.create_repository("renata", "app", files={"app.py": "print('hi')\n"})
    state.create_installation("renata", permissions=WRITE, notify=False)
    sync_installations()
    request = _request("renata")
    main_before = state.repository("renata", "app").branches["main"]

    url = onboarding_pr_open(request)

    (pull,) = state.pulls[state.repository("renata", "app").id]
    assert url.endswith(f"/renata/app/pull/{pull.number}") and pull.head_ref == BRANCH
    files = state.repository("renata", "app").store.files_of(pull.head_sha)
    assert b"failure_threshold: HIGH" in files[".fortify.yml"]
    assert state.repository("renata", "app").branches["main"] == main_before
    request.refresh_from_db()
    assert request.onboarding_pr_url == url
    # Asking again (a retried task) opens no second pull request.
    assert onboarding_pr_open(request) == url
    assert len(state.pulls[state.repository("renata", "app").id]) == 1


@pytest.mark.django_db
def test_without_contents_write_the_reason_is_recorded(github_settings):
    state = github_settings.state
    state.create_user("rudi")
    state.create_repository("rudi", "app", files={"app.py": "print('hi')\n"})
    state.create_installation("rudi", permissions={**WRITE, "contents": "read"}, notify=False)
    sync_installations()
    request = _request("rudi")
    assert onboarding_pr_open(request) == ""
    request.refresh_from_db()
    assert "contents: write" in request.onboarding_pr_error
    assert not state.pulls.get(state.repository("rudi", "app").id)
