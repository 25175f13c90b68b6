"""Fixtures for the dashboard and API tests: two installations, one member each."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from installations.models import Installation, Repository
from tests.support.people import make_member, make_scan, make_user


@pytest.fixture(autouse=True)
def fresh_recheck_cache():
    """Membership re-checks are remembered in the cache; each test starts without."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(synced):
    """Two installations from the sandbox (fortify-demo, octocat), a member of each, a scan
    with findings in each."""
    demo = Installation.objects.get(account_login="fortify-demo")
    octo = Installation.objects.get(account_login="octocat")
    alice, bob = make_user("alice"), make_user("bob")
    make_member(alice, demo, "admin")
    make_member(bob, octo, "admin")
    demo_repo = Repository.objects.get(full_name="fortify-demo/payments-api")
    octo_repo = Repository.objects.get(full_name="octocat/hello-world")
    return {
        "sandbox": synced, "alice": alice, "bob": bob, "demo": demo, "octo": octo,
        "demo_repo": demo_repo, "octo_repo": octo_repo,
        "demo_scan": make_scan(demo_repo, findings={"HIGH": 2, "LOW": 1}),
        "octo_scan": make_scan(octo_repo, findings={"CRITICAL": 1}),
    }
