"""The whole onboarding flow in Chromium, against the running service, worker and sandbox:
sign in → free scan → results → Enable PR protection → install on GitHub → setup URL →
success page → a pull request gets the check run, and branch protection requires it."""

from __future__ import annotations

import re

import pytest

from installations.branch_protection import CHECK_NAME
from installations.models import Installation, InstallationMembership, Repository
from tests.onboarding.scenario import newcomer
from tests.support.processes import wait_until
from tests.support.sandbox import check_runs_for


@pytest.mark.browser
@pytest.mark.worker
def test_sign_in_scan_install_and_protect(live_service, session_sandbox, browser_page,
                                          screenshots, celery_worker):
    sandbox, page, base = session_sandbox, browser_page, live_service.url
    person = newcomer(sandbox)
    sandbox.state.signed_in_login = person.login

    # Sign in with GitHub: our explanation first, then GitHub's consent page.
    page.goto(f"{base}/")
    page.click("#sign-in")
    assert "no OAuth scopes" in page.content()
    screenshots.take(page, "sign-in")
    page.click("#continue-to-github")
    assert page.url.startswith(sandbox.url + "/login/oauth/authorize")
    screenshots.take(page, "github-authorize")
    page.select_option("select[name=login]", person.login)
    page.click("button[value=authorize]")
    page.wait_for_url(f"{base}/onboarding/")
    assert person.login in page.inner_text("#signed-in-as")
    assert page.locator("#avatar").count() == 1
    screenshots.take(page, "signed-in")

    # Free scan of the (not yet installed) repository, read with the user's token.
    page.click("#start-free-scan")
    page.fill("#other", person.full_name)
    screenshots.take(page, "free-scan")
    page.click("#run-scan")
    page.wait_for_url(re.compile(r".*/onboarding/scans/[0-9a-f-]+$"))
    wait_until(lambda: page.reload() and page.inner_text("#scan-status") == "Completed",
               timeout=180, what="the free scan to complete", log=celery_worker.log_path)
    assert "finding" in page.inner_text("#summary")
    assert page.locator("table.findings tr").count() > 1
    assert page.locator("pre.context").count() > 0
    screenshots.take(page, "scan-results")

    # Enable PR protection → GitHub's install page, with our state.
    page.click("#enable-protection")
    assert page.url.startswith(f"{sandbox.url}/apps/{sandbox.app.slug}/installations/new")
    assert "state=" in page.url
    screenshots.take(page, "github-install")
    page.click("form.box button.primary")

    # Back at the setup URL: verified, linked, enabled; protection set by the worker.
    page.wait_for_url(re.compile(r".*/onboarding/requests/\d+$"))
    wait_until(lambda: page.reload() and "requires the Fortify Security Scan"
               in page.inner_text("#protection"), timeout=60,
               what="branch protection to be reported", log=celery_worker.log_path)
    assert person.full_name in page.inner_text("#scanning")
    screenshots.take(page, "success")

    installation = Installation.objects.get(account_login=person.login)
    assert installation.setup_source == Installation.SetupSource.ONBOARDING
    membership = InstallationMembership.objects.get(installation=installation)
    assert membership.user.github_login == person.login and membership.is_primary_contact
    assert membership.role == InstallationMembership.Role.OWNER
    repository = Repository.objects.get(full_name=person.full_name)
    assert repository.enabled and repository.is_installed
    protection = sandbox.state.repository(person.login, person.repo).protection["main"]
    assert CHECK_NAME in [c["context"] for c in
                          protection.required_status_checks["checks"]]

    # A pull request now gets Fortify's check run.
    pull = sandbox.state.open_pull_request(person.login, person.repo, "vuln/report-shell",
                                           wait=True)

    def completed_run():
        runs = check_runs_for(sandbox, person.login, person.repo, pull["head"]["sha"])
        return runs[0] if runs and runs[0].status == "completed" else None

    run = wait_until(completed_run, timeout=180, what="the pull request's check run",
                     log=celery_worker.log_path)
    assert run.name == CHECK_NAME and run.conclusion == "failure"
    page.goto(f"{sandbox.url}/{person.full_name}/pull/{pull['number']}")
    assert CHECK_NAME in page.content()
    screenshots.take(page, "pull-request-check-run")
