"""The setup wizard: detection from GitHub, validation of the choice, the background apply
(run here in-process against the sandbox; the browser test runs it on a real worker)."""

from __future__ import annotations

import pytest

from installations.detection import frameworks_in, installation_detect
from installations.models import Repository, SetupRun
from installations.setup import setup_run_apply

pytestmark = pytest.mark.django_db


def test_languages_and_frameworks_come_from_github(world):
    assert installation_detect(world["demo"]) == 2
    api = Repository.objects.get(full_name="fortify-demo/payments-api")
    web = Repository.objects.get(full_name="fortify-demo/web-frontend")
    assert "Python" in api.languages and api.frameworks == ["Flask"]
    assert "JavaScript" in web.languages and web.frameworks == ["Express"]
    sandbox = world["sandbox"]
    assert sandbox.state.requests_to("GET", "/repos/fortify-demo/payments-api/languages")
    assert installation_detect(world["demo"]) == 0  # detected once


def test_manifest_parsing():
    assert frameworks_in({"requirements.txt": "django==5.2\nflask>=3\n",
                          "package.json": '{"dependencies": {"react": "^18", "next": "14"}}',
                          "go.mod": "require github.com/gin-gonic/gin v1.9.1",
                          "unknown.txt": "django"}) == ["Django", "Flask", "Gin", "Next.js",
                                                       "React"]


def test_wizard_applies_the_choice_in_the_background(client, world):
    client.force_login(world["alice"])
    demo = world["demo"]
    api = Repository.objects.get(full_name="fortify-demo/payments-api")
    web = Repository.objects.get(full_name="fortify-demo/web-frontend")
    response = client.post(f"/dashboard/installations/{demo.installation_id}/setup/", {
        "repository": [api.pk], f"threshold-{api.pk}": "MEDIUM", f"protect-{api.pk}": "on",
        f"threshold-{web.pk}": "LOW"})
    assert response.status_code == 302
    run = SetupRun.objects.get()
    assert response["Location"] == f"/dashboard/setup-runs/{run.pk}/"
    progress = client.get(response["Location"]).content.decode()
    assert "0 of 2" in progress and 'http-equiv="refresh"' in progress

    setup_run_apply(run.pk)  # what the worker's task does

    run.refresh_from_db()
    assert run.status == "completed" and run.done == 2
    api.refresh_from_db()
    web.refresh_from_db()
    assert api.enabled and api.failure_threshold == "MEDIUM"
    assert api.branch_protection_status == Repository.ProtectionStatus.ENABLED
    assert not web.enabled and web.failure_threshold == "LOW"
    sandbox_repo = world["sandbox"].state.repository("fortify-demo", "payments-api")
    contexts = {c["context"] for c in
                sandbox_repo.protection["main"].required_status_checks["checks"]}
    assert contexts == {"ci/build", "Fortify Security Scan"}  # the team's own check kept
    done = client.get(f"/dashboard/setup-runs/{run.pk}/").content.decode()
    assert "2 of 2" in done and "Fortify check required on main." in done
    assert 'http-equiv="refresh"' not in done
    installation_page = client.get(
        f"/dashboard/installations/{demo.installation_id}/").content.decode()
    assert "Fortify check required" in installation_page


def test_wizard_refuses_bad_input_and_says_why(client, world):
    client.force_login(world["alice"])
    demo, api = world["demo"], world["demo_repo"]
    url = f"/dashboard/installations/{demo.installation_id}/setup/"
    other = client.post(url, {"repository": [world["octo_repo"].pk]})
    assert other.status_code == 400
    assert "not part of this installation" in other.content.decode()
    bad = client.post(url, {"repository": [api.pk], f"threshold-{api.pk}": "SEVERE"})
    assert bad.status_code == 400
    assert "&#x27;SEVERE&#x27; is not a severity" in bad.content.decode()
    assert not SetupRun.objects.exists()


def test_repository_page_settings_toggle_and_trend(client, world):
    from tests.support.people import make_scan

    client.force_login(world["alice"])
    repo = world["demo_repo"]
    make_scan(repo, findings={"HIGH": 1}, finished_days_ago=3)
    url = f"/dashboard/repositories/{repo.github_id}/"
    page = client.get(url).content.decode()
    assert 'class="trend-chart"' in page and "series-HIGH" in page
    svg = client.get(f"{url}trend.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.count(b"<polyline") == 4

    bad = client.post(url, {"failure_threshold": "LOW", "scan_mode": "pr_diff",
                            "excluded_paths_text": "../secrets"})
    assert bad.status_code == 400 and "without &#x27;..&#x27;" in bad.content.decode()
    good = client.post(url, {"failure_threshold": "LOW", "scan_mode": "full",
                             "excluded_paths_text": "docs/**\n\ntests/*.py"})
    assert good.status_code == 302
    repo.refresh_from_db()
    assert (repo.failure_threshold, repo.scan_mode, repo.excluded_paths) == (
        "LOW", "full", ["docs/**", "tests/*.py"])

    toggled = client.post(f"{url}toggle")  # no "enabled": disable
    run = SetupRun.objects.get()
    assert toggled["Location"] == f"/dashboard/setup-runs/{run.pk}/"
    assert run.items == [{"repository": repo.pk, "enabled": False, "failure_threshold": "LOW",
                          "protect_branch": False}]

    history = client.get(url, {"status": "completed", "pr": "1"}).content.decode()
    assert str(world["demo_scan"].public_id) in history
    assert client.get(url, {"pr": "zero"}).status_code == 200  # bad filter: shown, not applied
