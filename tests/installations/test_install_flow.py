"""Two clicks from Fortify's landing page to an installation Fortify knows about, over HTTP:
landing page → the App's install page on (sandbox) GitHub → setup URL, plus the signed
``installation.created`` webhook GitHub sends meanwhile."""

from __future__ import annotations

import re

import pytest
import requests

from installations.models import Installation
from tests.support.processes import wait_until
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_process


@pytest.mark.django_db(transaction=True)
def test_install_from_the_landing_page(github_settings, live_server):
    sandbox = github_settings
    sandbox.app.webhook_url = f"{live_server.url}/api/webhooks/github"
    sandbox.app.setup_url = f"{live_server.url}/github/setup"
    sandbox.state.create_org("acme-labs", admins=("octocat",))
    sandbox.state.create_repository("acme-labs", "billing", files={"app.py": "print('hi')\n"})

    landing = requests.get(f"{live_server.url}/", timeout=10).text
    install_url = re.search(r'id="install" href="([^"]+)"', landing).group(1)
    assert install_url == f"{sandbox.url}/apps/{sandbox.app.slug}/installations/new"
    assert "acme-labs" in requests.get(install_url, timeout=10).text

    finished = requests.post(install_url, timeout=10, data={
        "account": "acme-labs", "repository_selection": "all"})

    assert finished.status_code == 200
    assert finished.url.startswith(f"{live_server.url}/github/setup?")
    assert "setup_action=install" in finished.url and "state=" not in finished.url
    assert "Fortify is installed" in finished.text

    assert sandbox.state.wait_for_deliveries(timeout=30)
    event = WebhookEvent.objects.get(event="installation", action="created")
    webhook_event_process(event.pk)  # a worker may have got there first; either way:
    installation = wait_until(
        lambda: Installation.objects.filter(account_login="acme-labs").first(),
        timeout=30, what="the installation recorded from the webhook")
    assert installation.status == Installation.Status.ACTIVE
    assert list(installation.repositories.values_list("full_name", flat=True)) == [
        "acme-labs/billing"]
