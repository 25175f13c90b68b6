"""Each ``marketplace_purchase`` action changes what the account may do, and the wizard (and
dashboard) say so; a downgrade never stops scanning a pull request that was being scanned."""

from __future__ import annotations

import copy

import pytest
from django.core.cache import cache

from checks.models import ScanJob
from installations import plans
from installations.models import Installation, Repository
from tests.support.people import make_member, make_scan, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(synced, client):
    """fortify-demo's installation (two private repositories, both enabled), an admin
    signed in."""
    cache.clear()
    installation = Installation.objects.get(account_login="fortify-demo")
    admin = make_user("alice")
    make_member(admin, installation, "admin")
    client.force_login(admin)
    return installation


def purchase(fixture, installation, action, *, plan="Team", price_model="FLAT_RATE",
             trial_ends: str | None = None, effective="2026-12-31T00:00:00+00:00"):
    payload = copy.deepcopy(fixture("marketplace_purchase", action))
    purchase = payload["marketplace_purchase"]
    purchase["account"].update(id=installation.account_id, login=installation.account_login)
    purchase["plan"].update(name=plan, price_model=price_model)
    purchase["on_free_trial"] = trial_ends is not None
    purchase["free_trial_ends_on"] = trial_ends
    payload["effective_date"] = effective
    return payload


def wizard(client, installation) -> str:
    response = client.get(f"/dashboard/installations/{installation.installation_id}/setup/")
    assert response.status_code == 200
    return response.content.decode()


def choose(client, installation, *repos: Repository):
    return client.post(f"/dashboard/installations/{installation.installation_id}/setup/",
                       {"repository": [r.pk for r in repos]})


def test_no_marketplace_plan_means_a_direct_install_without_limits(demo, client):
    assert demo.setup_source == Installation.SetupSource.DIRECT
    page = wizard(client, demo)
    assert "No Marketplace plan" in page and "unlimited private repositories" in page


def test_purchased_marks_the_install_as_marketplace_and_sets_the_limit(
        demo, client, deliver, fixture):
    event = deliver("marketplace_purchase", purchase(fixture, demo, "purchased", plan="Team"))
    assert event.status == "completed", event.last_error
    demo.refresh_from_db()
    assert demo.setup_source == Installation.SetupSource.MARKETPLACE
    assert plans.allowance_for(demo).private_repositories == 10
    page = wizard(client, demo)
    assert "Team" in page and "10 private repositories" in page


def test_a_free_plan_limits_private_repositories_in_the_wizard(
        demo, client, deliver, fixture):
    deliver("marketplace_purchase",
            purchase(fixture, demo, "purchased", plan="Free", price_model="FREE"))
    api, web = demo.repositories.order_by("pk")
    too_many = choose(client, demo, api, web)
    assert too_many.status_code == 400
    text = too_many.content.decode()
    assert "Your plan (Free) allows 1 private repository; this choice would scan 2" in text
    assert choose(client, demo, api).status_code == 302


def test_per_unit_plans_buy_units(demo, deliver, fixture):
    payload = purchase(fixture, demo, "purchased", plan="Seats", price_model="PER_UNIT")
    payload["marketplace_purchase"]["unit_count"] = 7
    deliver("marketplace_purchase", payload)
    assert plans.allowance_for(demo).private_repositories == 7


def test_free_trial_is_shown_with_its_end(demo, client, deliver, fixture):
    deliver("marketplace_purchase", purchase(fixture, demo, "purchased", plan="Team",
                                             trial_ends="2027-01-15T00:00:00+00:00"))
    assert "Your free trial of Team ends on 2027-01-15." in wizard(client, demo)


def test_pending_downgrade_says_what_changes_and_when_then_changed_applies_it(
        demo, client, deliver, fixture):
    deliver("marketplace_purchase", purchase(fixture, demo, "purchased", plan="Team"))
    api, web = demo.repositories.order_by("pk")
    deliver("marketplace_purchase", purchase(fixture, demo, "pending_change", plan="Free",
                                             effective="2026-12-31T00:00:00+00:00"))
    page = wizard(client, demo)
    assert ("On 2026-12-31 your plan changes to Free, which scans 1 private repository. "
            f"New pull requests in {web.full_name} will then not be scanned; pull requests "
            "open at that time keep being scanned until they close.") in page
    assert plans.scan_permitted(web, 5)  # nothing changes before the date

    make_scan(web, pr_number=5)  # a pull request being scanned when the downgrade lands
    deliver("marketplace_purchase",
            purchase(fixture, demo, "changed", plan="Free", price_model="FREE"))
    assert plans.allowance_for(demo).private_repositories == 1
    assert plans.scan_permitted(api, 9)
    assert plans.scan_permitted(web, 5), "a pull request already scanned keeps its scans"
    assert not plans.scan_permitted(web, 6), "a new pull request beyond the limit is not"
    installation_page = client.get(
        f"/dashboard/installations/{demo.installation_id}/").content.decode()
    assert f"new pull requests in {web.full_name} are not scanned" in installation_page


def test_pending_change_cancelled_removes_the_announcement(demo, client, deliver, fixture):
    deliver("marketplace_purchase", purchase(fixture, demo, "purchased", plan="Team"))
    deliver("marketplace_purchase", purchase(fixture, demo, "pending_change", plan="Free"))
    assert "your plan changes to Free" in wizard(client, demo)
    deliver("marketplace_purchase",
            purchase(fixture, demo, "pending_change_cancelled", plan="Free"))
    assert "your plan changes to" not in wizard(client, demo)
    assert plans.allowance_for(demo).private_repositories == 10


def test_cancelled_falls_back_to_the_free_limit(demo, client, deliver, fixture):
    deliver("marketplace_purchase", purchase(fixture, demo, "purchased", plan="Team"))
    deliver("marketplace_purchase", purchase(fixture, demo, "cancelled", plan="Team"))
    allowance = plans.allowance_for(demo)
    assert allowance.source == "cancelled" and allowance.private_repositories == 1
    page = wizard(client, demo)
    assert "Free (plan cancelled)" in page
    assert "Your Marketplace plan was cancelled: Fortify scans 1 private repository" in page


def test_a_pull_request_beyond_the_limit_gets_no_scan(demo, deliver, fixture, synced):
    deliver("marketplace_purchase",
            purchase(fixture, demo, "purchased", plan="Free", price_model="FREE"))
    web = Repository.objects.get(full_name="fortify-demo/web-frontend")
    pull = synced.state.open_pull_request("fortify-demo", "web-frontend",
                                          "vuln/eval-injection")
    payload = {"action": "opened", "number": pull["number"], "pull_request": pull,
               "repository": pull["base"]["repo"],
               "installation": {"id": demo.installation_id}}
    event = deliver("pull_request", payload)
    assert event.status == "completed", event.last_error
    assert not ScanJob.objects.filter(repository=web).exists()
