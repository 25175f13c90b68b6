"""The Marketplace path in Chromium, against the running service, worker and sandbox:
a Marketplace purchase → install on (sandbox) GitHub by a person with no Fortify account →
invitation → sign in → setup wizard (languages, frameworks, plan) → choose repositories,
thresholds and protection → progress → enabled and protected; then the dashboard shows them,
a pull request appears in the scan history with its findings, and the trend chart renders.
Screenshots of every page go to var/artifacts/test_dashboard_flow/."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.invitations import invitation_token
from accounts.models import Invitation
from checks.models import ScanJob
from installations.branch_protection import CHECK_NAME
from installations.models import Installation, Repository
from tests.onboarding.scenario import NEW_VULNERABILITY
from tests.support.processes import wait_until
from tests.support.webhooks import load_fixture

WEB_FILES = {"package.json": '{"name": "shop-web", "dependencies": {"express": "^4.19.2"}}\n',
             "src/server.js": "const express = require('express');\n"}


def marketplace_purchase(account, plan: str) -> dict:
    payload = load_fixture("marketplace_purchase", "purchased")
    purchase = payload["marketplace_purchase"]
    purchase["account"].update(id=account.id, login=account.login, type="User")
    purchase["plan"].update(name=plan, price_model="FLAT_RATE")
    return payload


def reload_until(page, condition, *, what: str, log, timeout: float = 120):
    return wait_until(lambda: page.reload() and condition(), timeout=timeout, what=what,
                      log=log)


@pytest.mark.browser
@pytest.mark.worker
def test_marketplace_install_wizard_dashboard_and_scan_history(
        live_service, session_sandbox, browser_page, screenshots, celery_worker):
    import uuid

    from github_sandbox.seed import SEED_DATA, read_tree

    sandbox, page, base, log = (session_sandbox, browser_page, live_service.url,
                                celery_worker.log_path)
    state = sandbox.state
    login = f"shop-{uuid.uuid4().hex[:8]}"
    account = state.create_user(login, name="Sam Shopkeeper", email=f"{login}@example.com")
    state.create_repository(login, "shop-api", files=read_tree(SEED_DATA / "payments-api" / "main"),
                            language="Python",
                            branches={"vuln/report-shell": {"payments/reports.py":
                                                            NEW_VULNERABILITY}})
    state.create_repository(login, "shop-web", files=WEB_FILES, language="JavaScript")

    # Bought on GitHub Marketplace first (GitHub sends the purchase to the listing's webhook).
    state.send_webhook("marketplace_purchase", marketplace_purchase(account, "Team"), wait=True)

    # Installed on GitHub by someone Fortify has never seen: no state, no sign-in.
    state.signed_in_login = login
    page.goto(f"{sandbox.url}/apps/{sandbox.app.slug}/installations/new")
    screenshots.take(page, "github-install")
    page.click("form.box button.primary")
    page.wait_for_url(re.compile(r".*/github/setup\?.*"))
    screenshots.take(page, "setup-url")

    installation = wait_until(
        lambda: Installation.objects.filter(account_login=login).first(), timeout=60,
        what="the installation from the webhook", log=log)
    assert installation.setup_source == Installation.SetupSource.MARKETPLACE
    invitation = wait_until(lambda: Invitation.objects.filter(
        installation=installation).first(), timeout=60, what="the invitation", log=log)
    assert not invitation.user.is_active  # a pending account

    # The invitation link → sign in with GitHub → the setup wizard.
    page.goto(base + reverse("accounts:invitation",
                             kwargs={"token": invitation_token(invitation)}))
    screenshots.take(page, "invitation")
    page.click("#continue-to-github")
    page.select_option("select[name=login]", login)
    page.click("button[value=authorize]")
    wizard_url = f"{base}/dashboard/installations/{installation.installation_id}/setup/"
    page.wait_for_url(wizard_url)
    assert login in page.inner_text("#signed-in-as")
    assert page.inner_text("#plan-name") == "Team"
    assert "10 private repositories" in page.inner_text("#plan")
    reload_until(page, lambda: "Flask" in page.inner_text("#setup-form")
                 and "Express" in page.inner_text("#setup-form"),
                 what="languages and frameworks detected", log=log)
    api = Repository.objects.get(full_name=f"{login}/shop-api")
    web = Repository.objects.get(full_name=f"{login}/shop-web")
    assert "Python" in page.inner_text(f"tr[data-repository='{api.full_name}'] .languages")
    screenshots.take(page, "wizard")

    # Both repositories, web stricter, both default branches protected.
    page.check(f"#repo-{api.pk}")
    page.check(f"#repo-{web.pk}")
    page.select_option(f"select[name=threshold-{web.pk}]", "MEDIUM")
    page.check(f"input[name=protect-{api.pk}]")
    page.check(f"input[name=protect-{web.pk}]")
    page.click("#apply")
    page.wait_for_url(re.compile(r".*/dashboard/setup-runs/\d+/$"))
    screenshots.take(page, "progress")
    reload_until(page, lambda: page.locator("#to-dashboard").count() == 1,
                 what="the setup to be applied", log=log)
    assert "2 of 2" in page.inner_text("#run-progress")
    assert page.locator("#results .outcome").all_inner_texts() == ["enabled", "enabled"]
    screenshots.take(page, "applied")
    for name in ("shop-api", "shop-web"):
        protection = state.repository(login, name).protection["main"]
        assert CHECK_NAME in [c["context"] for c in protection.required_status_checks["checks"]]
    web.refresh_from_db()
    assert web.enabled and web.failure_threshold == "MEDIUM"

    # The dashboard shows them enabled and protected.
    page.click("#to-dashboard")
    row = page.locator(f"tr[data-repository='{api.full_name}']")
    assert row.locator(".scanning").inner_text().startswith("enabled")
    assert "Fortify check required" in row.locator(".protection").inner_text()
    screenshots.take(page, "dashboard")

    # A pull request on GitHub appears in the scan history with its findings.
    pull = state.open_pull_request(login, "shop-api", "vuln/report-shell", wait=True)
    scan = wait_until(lambda: ScanJob.objects.filter(
        repository=api, pr_number=pull["number"], status=ScanJob.Status.COMPLETED).first(),
        timeout=180, what="the pull request's scan", log=log)
    assert scan.findings.exists()
    page.goto(f"{base}/dashboard/repositories/{api.github_id}/")
    history = page.inner_text("#scans")
    assert f"pull request #{pull['number']}" in history
    assert page.locator("#trend svg.trend-chart polyline").count() == 4
    assert page.locator("#trend svg.trend-chart circle").count() >= 4
    screenshots.take(page, "repository-trend-and-history")
    page.click(f"#scans a[href='/scans/{scan.public_id}']")
    assert page.locator("#findings tbody tr").count() == scan.findings.count()
    first_link = page.locator("#findings a.line-link").first.get_attribute("href")
    assert first_link.startswith(f"{sandbox.url}/{api.full_name}/blob/{scan.head_sha}/")
    screenshots.take(page, "scan-page")
