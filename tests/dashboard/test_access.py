"""Every dashboard page: anonymous → sign-in; another user's objects → 404; members → 200;
a person removed from the installation on GitHub loses access at the next re-check."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from installations.models import SetupRun
from tests.support.people import give_github_token, make_member, make_user

pytestmark = pytest.mark.django_db


def pages(w) -> dict[str, str]:
    """Every page that shows an installation's data, for the installation of ``w['demo']``."""
    run = SetupRun.objects.create(installation=w["demo"], items=[], status="completed")
    return {
        "installation": f"/dashboard/installations/{w['demo'].installation_id}/",
        "setup wizard": f"/dashboard/installations/{w['demo'].installation_id}/setup/",
        "setup run": f"/dashboard/setup-runs/{run.pk}/",
        "repository": f"/dashboard/repositories/{w['demo_repo'].github_id}/",
        "trend chart": f"/dashboard/repositories/{w['demo_repo'].github_id}/trend.svg",
        "scan": f"/scans/{w['demo_scan'].public_id}",
    }


def test_anonymous_people_are_sent_to_sign_in(client, world):
    for name, url in {**pages(world), "home": "/dashboard/",
                      "account": "/dashboard/account/"}.items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(settings.LOGIN_URL + "?next="), name


def test_members_see_their_installation(client, world):
    client.force_login(world["alice"])
    for name, url in pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
    scan_page = client.get(f"/scans/{world['demo_scan'].public_id}").content.decode()
    assert "High issue" in scan_page and "password = &#x27;x1&#x27;" in scan_page
    blob = (f"{settings.GITHUB_WEB_URL}/fortify-demo/payments-api/blob/"
            f"{world['demo_scan'].head_sha}/app/views.py#L1")
    assert blob in scan_page


def test_another_users_installation_repository_scan_and_run_answer_404(client, world):
    client.force_login(world["bob"])  # bob is a member of octocat's installation only
    for name, url in pages(world).items():
        assert client.get(url).status_code == 404, name
    assert client.post(f"/dashboard/installations/{world['demo'].installation_id}/setup/",
                       {"repository": [world["demo_repo"].pk]}).status_code == 404
    assert client.post(f"/dashboard/repositories/{world['demo_repo'].github_id}/toggle",
                       {"enabled": "on"}).status_code == 404
    home = client.get("/dashboard/").content.decode()
    assert "octocat" in home and "fortify-demo" not in home


def test_a_plain_member_sees_but_does_not_change(client, world):
    carol = make_user("carol")
    make_member(carol, world["demo"], "member")
    client.force_login(carol)
    repo = world["demo_repo"]
    assert client.get(f"/dashboard/repositories/{repo.github_id}/").status_code == 200
    assert client.post(f"/dashboard/repositories/{repo.github_id}/",
                       {"failure_threshold": "LOW", "scan_mode": "full"}).status_code == 403
    assert client.post(f"/dashboard/repositories/{repo.github_id}/toggle").status_code == 403
    assert client.post(f"/dashboard/installations/{world['demo'].installation_id}/setup/",
                       {"repository": [repo.pk]}).status_code == 403
    repo.refresh_from_db()
    assert repo.failure_threshold == "HIGH" and repo.enabled


def test_removed_on_github_loses_access_at_the_next_recheck(client, world, settings):
    sandbox = world["sandbox"]
    octocat = make_user("octocat-user", github_id=sandbox.state.account("octocat").id)
    make_member(octocat, world["demo"], "admin")
    give_github_token(octocat, sandbox, "octocat")
    client.force_login(octocat)
    url = f"/dashboard/installations/{world['demo'].installation_id}/"
    assert client.get(url).status_code == 200  # GitHub confirms: octocat administers the org

    sandbox.state.account("fortify-demo").admins.discard("octocat")
    assert client.get(url).status_code == 200  # not re-checked yet (every 5 minutes)
    cache.clear()  # the re-check interval has passed
    assert client.get(url).status_code == 404
    assert client.get(f"/scans/{world['demo_scan'].public_id}").status_code == 404
    assert not octocat.installation_memberships.filter(installation=world["demo"]).exists()
    assert sandbox.state.requests_to("GET", "/user/installations")


def test_github_unreachable_at_recheck_keeps_access(client, world):
    sandbox = world["sandbox"]
    octocat = make_user("octocat-user", github_id=sandbox.state.account("octocat").id)
    make_member(octocat, world["demo"], "admin")
    give_github_token(octocat, sandbox, "octocat")
    sandbox.state.faults.add("GET", "/user/installations", "server_error", times=10, status=502)
    client.force_login(octocat)
    assert client.get(f"/dashboard/installations/{world['demo'].installation_id}/"
                      ).status_code == 200
