"""Installation healing is one step the router runs once before the handlers of an event,
not a subscriber of its own; events that are not for an installation of the App, or name one
GitHub no longer knows, are ignored with the reason."""

from __future__ import annotations

import pytest

from installations.handlers import heal_installation_and_repository
from installations.models import Installation, Repository
from webhooks.routing import handler_name, router

pytestmark = pytest.mark.django_db


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
