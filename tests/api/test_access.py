"""Every API endpoint: anonymous → 401; another user's objects → 404; tokens work until
revoked; members read, owners and admins change; removed on GitHub → no access."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import ApiToken
from accounts.tokens import api_token_create
from checks.models import ScanJob
from tests.support.people import give_github_token, make_member, make_user

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def detail_urls(w) -> dict[str, str]:
    finding = w["demo_scan"].findings.first()
    return {
        "installation": f"/api/v1/installations/{w['demo'].installation_id}/",
        "repository": f"/api/v1/repositories/{w['demo_repo'].github_id}/",
        "scan": f"/api/v1/scans/{w['demo_scan'].public_id}/",
        "finding": f"/api/v1/findings/{finding.pk}/",
    }


LISTS = ["/api/v1/installations/", "/api/v1/repositories/", "/api/v1/scans/",
         "/api/v1/findings/"]


def test_anonymous_requests_answer_401(client, world):
    for url in [*LISTS, *detail_urls(world).values(), "/api/v1/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Bearer"
    assert client.post("/api/v1/scans/", {"repository": 1, "branch": "main"},
                       content_type="application/json").status_code == 401


def test_a_token_sees_exactly_its_owners_installations(client, world):
    _, raw = api_token_create(user=world["alice"], name="ci")
    headers = bearer(raw)
    for name, url in detail_urls(world).items():
        assert client.get(url, **headers).status_code == 200, name
    listed = client.get("/api/v1/repositories/", **headers).json()
    assert {r["full_name"] for r in listed["results"]} == {
        "fortify-demo/payments-api", "fortify-demo/web-frontend"}
    scans = client.get("/api/v1/scans/", **headers).json()["results"]
    assert [s["id"] for s in scans] == [str(world["demo_scan"].public_id)]
    findings = client.get("/api/v1/findings/?severity=HIGH", **headers).json()
    assert findings["count"] == 2
    assert findings["results"][0]["github_url"].endswith("/app/views.py#L1")


def test_another_users_objects_answer_404(client, world):
    _, raw = api_token_create(user=world["bob"], name="bob's")
    for name, url in detail_urls(world).items():
        assert client.get(url, **bearer(raw)).status_code == 404, name
    patch = client.patch(f"/api/v1/repositories/{world['demo_repo'].github_id}/",
                         {"failure_threshold": "LOW"}, content_type="application/json",
                         **bearer(raw))
    assert patch.status_code == 404
    trigger = client.post("/api/v1/scans/", {"repository": world["demo_repo"].github_id,
                                             "branch": "main"},
                          content_type="application/json", **bearer(raw))
    assert trigger.status_code == 404
    assert client.get("/api/v1/findings/", **bearer(raw)).json()["count"] == 1  # bob's own


def test_revoked_and_unknown_tokens_are_refused(client, world):
    token, raw = api_token_create(user=world["alice"], name="short-lived")
    assert client.get("/api/v1/scans/", **bearer(raw)).status_code == 200
    client.force_login(world["alice"])
    client.post("/dashboard/account/", {"revoke": token.pk})
    client.logout()
    refused = client.get("/api/v1/scans/", **bearer(raw))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Unknown or revoked token."
    assert client.get("/api/v1/scans/", **bearer("ftk_made-up")).status_code == 401
    assert client.get("/api/v1/scans/",
                      HTTP_AUTHORIZATION="Bearer two words").status_code == 401


def test_tokens_are_stored_hashed_and_shown_once(client, world):
    client.force_login(world["alice"])
    page = client.post("/dashboard/account/", {"name": "export"})
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="export")
    raw = page.content.decode().split('class="token">')[1].split("<")[0]
    assert raw.startswith("ftk_") and token.digest != raw and raw not in token.digest
    again = client.get("/dashboard/account/").content.decode()
    assert raw not in again and token.prefix in again
    empty = client.post("/dashboard/account/", {"name": "  "})
    assert empty.status_code == 400


def test_session_authentication_works_and_members_cannot_change(client, world):
    carol = make_user("carol")
    make_member(carol, world["demo"], "member")
    client.force_login(carol)
    url = f"/api/v1/repositories/{world['demo_repo'].github_id}/"
    assert client.get(url).status_code == 200
    assert client.patch(url, {"failure_threshold": "LOW"},
                        content_type="application/json").status_code == 403
    assert client.post("/api/v1/scans/", {"repository": world["demo_repo"].github_id,
                                          "branch": "main"},
                       content_type="application/json").status_code == 403


def test_admins_change_settings_and_bad_input_says_why(client, world):
    _, raw = api_token_create(user=world["alice"], name="ci")
    url = f"/api/v1/repositories/{world['demo_repo'].github_id}/"
    ok = client.patch(url, {"failure_threshold": "MEDIUM", "excluded_paths": ["docs/**"]},
                      content_type="application/json", **bearer(raw))
    assert ok.status_code == 200, ok.content
    assert ok.json()["failure_threshold"] == "MEDIUM"
    bad = client.patch(url, {"failure_threshold": "SEVERE", "excluded_paths": ["../etc"]},
                       content_type="application/json", **bearer(raw))
    assert bad.status_code == 400
    assert set(bad.json()) == {"failure_threshold", "excluded_paths"}
    both = client.post("/api/v1/scans/", {"repository": world["demo_repo"].github_id,
                                          "branch": "main", "pr_number": 3},
                       content_type="application/json", **bearer(raw))
    assert both.status_code == 400
    assert "either pr_number or branch" in both.content.decode()


def test_filters_and_pagination(client, world):
    from tests.support.people import make_scan

    for day in range(3):
        make_scan(world["demo_repo"], pr_number=7, findings={"LOW": 1}, finished_days_ago=day)
    _, raw = api_token_create(user=world["alice"], name="ci")
    page = client.get("/api/v1/scans/?pr_number=7&page_size=2", **bearer(raw)).json()
    assert page["count"] == 3 and page["next"]
    assert len(client.get("/api/v1/scans/?pr_number=7", **bearer(raw)).json()["results"]) == 3
    bad = client.get("/api/v1/scans/?status=exploded", **bearer(raw))
    assert bad.status_code == 400 and "status" in bad.json()
    assert client.get("/api/v1/scans/?page=99", **bearer(raw)).status_code == 404


def test_removed_on_github_loses_api_access(client, world):
    sandbox = world["sandbox"]
    octocat = make_user("octocat-user", github_id=sandbox.state.account("octocat").id)
    make_member(octocat, world["demo"], "admin")
    give_github_token(octocat, sandbox, "octocat")
    _, raw = api_token_create(user=octocat, name="ci")
    url = f"/api/v1/installations/{world['demo'].installation_id}/"
    assert client.get(url, **bearer(raw)).status_code == 200
    sandbox.state.account("fortify-demo").admins.discard("octocat")
    cache.clear()  # the re-check interval has passed
    assert client.get(url, **bearer(raw)).status_code == 404


def test_scan_trigger_is_queued_and_throttled(client, world):
    _, raw = api_token_create(user=world["alice"], name="ci")
    body = {"repository": world["demo_repo"].github_id, "branch": "main"}
    queued = client.post("/api/v1/scans/", body, content_type="application/json",
                         **bearer(raw))
    assert queued.status_code == 202, queued.content
    assert queued.json()["status"] == "queued"
    from rest_framework.throttling import SimpleRateThrottle

    saved = SimpleRateThrottle.THROTTLE_RATES  # read once by DRF: swap it for this test
    SimpleRateThrottle.THROTTLE_RATES = {**saved, "scan_trigger": "1/hour"}
    try:
        cache.clear()
        assert client.post("/api/v1/scans/", body, content_type="application/json",
                           **bearer(raw)).status_code == 202
        throttled = client.post("/api/v1/scans/", body, content_type="application/json",
                                **bearer(raw))
        assert throttled.status_code == 429
    finally:
        SimpleRateThrottle.THROTTLE_RATES = saved
    assert ScanJob.objects.filter(trigger="manual").count() == 0  # queued on commit only
