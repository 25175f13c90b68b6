"""Django admin: scans, findings, check runs, install requests, memberships, plans, setup
runs, invitations and API tokens are browsable and searchable; tokens are never shown."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Invitation
from accounts.tokens import api_token_create
from checks.models import CheckRun
from installations.models import MarketplacePlan, SetupRun
from onboarding.models import InstallRequest

pytestmark = pytest.mark.django_db

SEARCHES = {
    "checks/scanjob": "payments-api",
    "checks/finding": "app/views.py",
    "checks/checkrun": "payments-api",
    "onboarding/installrequest": "fortify-demo",
    "installations/installationmembership": "alice",
    "installations/marketplaceplan": "fortify-demo",
    "installations/setuprun": "fortify-demo",
    "accounts/invitation": "alice",
    "accounts/apitoken": "ci",
}


def test_every_model_is_browsable_and_searchable(admin_client, world):
    demo, alice = world["demo"], world["alice"]
    scan = world["demo_scan"]
    CheckRun.objects.create(scan=scan, github_id=987654, head_sha=scan.head_sha,
                            status="completed", conclusion="failure", title="2 high")
    InstallRequest.objects.create(user=alice, target_account_id=demo.account_id,
                                  target_account_login="fortify-demo", nonce="n" * 32,
                                  expires_at=timezone.now())
    MarketplacePlan.objects.create(account_id=demo.account_id, account_login="fortify-demo",
                                   account_type="Organization", plan_name="Team")
    SetupRun.objects.create(installation=demo, requested_by=alice, items=[])
    Invitation.objects.create(user=alice, installation=demo, expires_at=timezone.now())
    token, raw = api_token_create(user=alice, name="ci")

    for model, term in SEARCHES.items():
        listing = admin_client.get(f"/admin/{model}/", {"q": term})
        assert listing.status_code == 200, model
        assert "0 results" not in listing.content.decode(), model
    for model, obj in {"checks/scanjob": scan, "checks/finding": scan.findings.first(),
                       "accounts/apitoken": token}.items():
        assert admin_client.get(f"/admin/{model}/{obj.pk}/change/").status_code == 200

    token_page = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/")
    text = token_page.content.decode()
    assert raw not in text and token.digest not in text
    request_page = admin_client.get(
        f"/admin/onboarding/installrequest/{InstallRequest.objects.get().pk}/change/")
    assert "n" * 32 not in request_page.content.decode()


def test_admins_revoke_tokens(admin_client, world):
    token, _ = api_token_create(user=world["alice"], name="leaked")
    admin_client.post("/admin/accounts/apitoken/", {
        "action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
