"""Every example payload GitHub publishes (``@octokit/webhooks-examples``) for every event the
App subscribes to ends ``completed``, or ``ignored`` with a reason: never ``failed``.

Each goes through the real receiver and the real pipeline (pre-dispatch healing, then the
handlers) against the GitHub sandbox, which answers whatever the handlers ask. Most examples
name installations the sandbox never had: healing asks GitHub for them and ignores the event
when GitHub does not know the installation, as it would for an App uninstalled meanwhile.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.sandbox.npm_packages import WEBHOOK_EXAMPLES, ensure_installed
from tests.support.webhooks import load_fixture, post_webhook
from webhooks.models import WebhookEvent
from webhooks.services import webhook_event_process

# The events the App subscribes to (README, "Connecting a real GitHub App") and those GitHub
# sends every App.
SUBSCRIBED = ("pull_request", "check_run", "check_suite", "repository", "installation",
              "installation_repositories", "installation_target", "github_app_authorization",
              "marketplace_purchase", "ping")
# Events octokit has no example of: our fixture derived from GitHub's schema stands in.
DERIVED = {"installation_target": ("renamed",)}

Status = WebhookEvent.Status


def _payloads() -> list[tuple[str, str, dict]]:
    ensure_installed()
    examples = {e["name"]: e["examples"] for e in json.loads(WEBHOOK_EXAMPLES.read_text())}
    cases = []
    for name in SUBSCRIBED:
        found = examples.get(name) or []
        for index, payload in enumerate(found):
            cases.append((name, f"{name}.{payload.get('action') or '-'}#{index}", payload))
        for action in DERIVED.get(name, ()) if not found else ():
            cases.append((name, f"{name}.{action} (derived)", load_fixture(name, action)))
    return cases


@pytest.mark.django_db
def test_every_example_of_every_subscribed_event_is_handled_or_ignored(client,
                                                                       github_settings):
    cases = _payloads()
    assert {name for name, _, _ in cases} == set(SUBSCRIBED), "an example for every event"
    outcomes: dict[str, tuple[str, str]] = {}
    for name, label, payload in cases:
        delivery = str(uuid.uuid4())
        response = post_webhook(client, name, payload, delivery=delivery)
        assert response.status_code == (200 if name == "ping" else 202), label
        event = WebhookEvent.objects.get(delivery_id=delivery)
        if event.status == Status.PENDING:
            outcome = webhook_event_process(event.pk)
            assert outcome.retry_in is None, f"{label}: retrying ({event.last_error})"
            event.refresh_from_db()
        outcomes[label] = (event.status, event.status_reason or event.last_error)

    report = "\n".join(f"{label}: {status} ({why})" for label, (status, why) in
                       outcomes.items())
    bad = {label: outcome for label, outcome in outcomes.items()
           if outcome[0] not in (Status.COMPLETED, Status.IGNORED)
           or (outcome[0] == Status.IGNORED and not outcome[1])}
    assert not bad, report
    print(report)  # shown with -s: which examples were handled and why others were ignored
    assert sum(1 for status, _ in outcomes.values() if status == Status.COMPLETED) >= 10
