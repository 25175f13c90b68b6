"""Installation healing is one step the router runs once before the handlers of an event,
not a subscriber of its own; events that are not for an installation of the App, or name one
GitHub no longer knows, are ignored with the reason."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from installations.handlers import heal_installation_and_repository
from installations.models import Installation, Repository
from webhooks.routing import handler_name, router

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_remembered_answers():
    """GitHub's "no such installation" is remembered in the cache (Redis, which outlives a
    test); each test starts without."""
    cache.clear()


def _for(payload: dict, installation_id: int) -> dict:
    payload["installation"] = {"id": installation_id, "node_id": "MDIzOkluc3RhbGxhdGlvbg=="}
    return payload


def test_healing_is_a_pre_dispatch_step_not_a_subscriber():
    name = handler_name(heal_installation_and_repository)
    assert name in [handler_name(step) for step in router.pre_dispatch_steps()]
    assert all(name not in names for names in router.subscriptions().values())


def test_an_event_for_an_unseen_installation_is_healed_once_before_its_handlers(
        github_settings, deliver, fixture):
    org = next(inst for inst in github_settings.state.installations.values()
               if inst.account.login == "fortify-demo")
    payload = _for(fixture("pull_request", "closed"), org.id)

    event = deliver("pull_request", payload)

    assert event.status == "completed", event.last_error
    installation = Installation.objects.get(installation_id=org.id)
    repository = Repository.objects.get(github_id=payload["repository"]["id"])
    assert repository.installation == installation
    fetched = github_settings.state.requests_to("GET", f"/app/installations/{org.id}")
    assert len(fetched) == 1, "fetched once, by the pre-dispatch step"
    assert list(event.handler_results) == ["checks.handlers.pull_request_closed"]


def test_an_event_without_an_installation_is_ignored_with_the_reason(deliver, fixture):
    payload = fixture("pull_request", "opened")
    payload.pop("installation", None)
    event = deliver("pull_request", payload)
    assert event.status == "ignored"
    assert event.status_reason.startswith("not sent to an installation of this App")
    assert not Repository.objects.filter(github_id=payload["repository"]["id"]).exists()


def test_an_installation_github_does_not_know_is_ignored_not_failed(github_settings, deliver,
                                                                    fixture):
    event = deliver("repository", _for(fixture("repository", "renamed"), 987_654_321))
    assert event.status == "ignored"
    assert event.status_reason == \
        "installation 987654321 is unknown to GitHub (the App was uninstalled)"
    assert not Installation.objects.filter(installation_id=987_654_321).exists()


def test_github_is_asked_about_an_unknown_installation_once_not_for_every_event(
        github_settings, deliver, fixture):
    """Each lookup is an App request, from the budget that mints every installation's
    token: a stream of events naming an installation GitHub does not know must not spend it."""
    unknown = 987_654_323
    first = deliver("repository", _for(fixture("repository", "renamed"), unknown))
    second = deliver("pull_request", _for(fixture("pull_request", "closed"), unknown))

    for event in (first, second):
        assert event.status == "ignored"
        assert event.status_reason == \
            f"installation {unknown} is unknown to GitHub (the App was uninstalled)"
    assert len(github_settings.state.requests_to("GET", f"/app/installations/{unknown}")) == 1


def test_an_installation_created_after_github_denied_it_is_not_hidden(
        github_settings, deliver, fixture):
    """The ``created`` event carries the whole installation and records it without a lookup,
    so an earlier "unknown" answer does not hide the new installation's events."""
    unknown = 987_654_324
    assert deliver("repository", _for(fixture("repository", "renamed"), unknown)).status == \
        "ignored"

    created = fixture("installation", "created")
    created["installation"]["id"] = unknown
    assert deliver("installation", created).status == "completed"
    renamed = deliver("repository", _for(fixture("repository", "renamed"), unknown))

    assert renamed.status == "completed", renamed.status_reason or renamed.last_error
    assert Installation.objects.get(installation_id=unknown).status == "active"
    assert len(github_settings.state.requests_to("GET", f"/app/installations/{unknown}")) == 1
