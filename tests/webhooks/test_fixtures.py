"""The webhook fixtures are GitHub's own examples (see tests/fixtures/webhooks/build_fixtures.py).

Captured files must equal an example in `@octokit/webhooks-examples` (GitHub's captures are
the truth, even where they predate a field the schema now requires); the few derived files
must carry every top-level field GitHub's OpenAPI description requires for their
(event, action). Skipped when `var/npm` is absent (bin/test installs it).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from tests.support.webhooks import all_fixtures, load_fixture

NPM = Path(__file__).resolve().parents[2] / "var" / "npm" / "node_modules" / "@octokit"
EXAMPLES = NPM / "webhooks-examples" / "api.github.com" / "index.json"
OPENAPI = NPM / "openapi" / "generated" / "api.github.com.deref.json"
DERIVED = {("installation_target", "renamed"), ("repository", "archived"),
           ("repository", "unarchived"), ("repository", "deleted"),
           ("marketplace_purchase", "pending_change"),
           ("marketplace_purchase", "pending_change_cancelled")}
REQUIRED = {
    ("ping", None), ("installation", "created"), ("installation", "deleted"),
    ("installation", "suspend"), ("installation", "unsuspend"),
    ("installation", "new_permissions_accepted"), ("installation_repositories", "added"),
    ("installation_repositories", "removed"), ("installation_target", "renamed"),
    ("repository", "renamed"), ("repository", "transferred"), ("repository", "deleted"),
    ("repository", "archived"), ("repository", "unarchived"), ("repository", "edited"),
    ("github_app_authorization", "revoked"), ("marketplace_purchase", "purchased"),
    ("marketplace_purchase", "changed"), ("marketplace_purchase", "cancelled"),
    ("marketplace_purchase", "pending_change"),
    ("marketplace_purchase", "pending_change_cancelled"), ("pull_request", "opened"),
    ("pull_request", "synchronize"), ("pull_request", "reopened"), ("pull_request", "closed"),
    ("pull_request", "ready_for_review"), ("check_run", "rerequested"),
    ("check_run", "requested_action"), ("check_run", "created"), ("check_run", "completed"),
    ("check_suite", "requested"), ("check_suite", "rerequested"),
    ("check_suite", "completed"),
}


def test_every_required_fixture_exists():
    assert set(all_fixtures()) >= REQUIRED


@cache
def _examples() -> dict[str, list[dict]]:
    return {e["name"]: e["examples"] for e in json.loads(EXAMPLES.read_text())}


@cache
def _schemas() -> dict[str, dict]:
    spec = json.loads(OPENAPI.read_text())
    return {hook["post"]["operationId"]: hook["post"]["requestBody"]["content"][
        "application/json"]["schema"] for hook in spec["x-webhooks"].values()}


@pytest.mark.skipif(not EXAMPLES.exists() or not OPENAPI.exists(),
                    reason="@octokit packages not installed in var/npm")
@pytest.mark.parametrize(("event", "action"), sorted(REQUIRED, key=str))
def test_fixture_is_githubs_example(event, action):
    payload = load_fixture(event, action)
    assert payload.get("action") == action
    if (event, action) not in DERIVED:
        assert payload in _examples()[event], "a captured example, unchanged"
        return
    operation = event.replace("_", "-") + (f"/{action.replace('_', '-')}" if action else "")
    schema = _schemas()[operation]
    missing = [key for key in schema.get("required", []) if key not in payload]
    assert not missing, f"{event}.{action} lacks {missing}"
    if action:
        assert payload["action"] in schema["properties"]["action"].get("enum", [action])
