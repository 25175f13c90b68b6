"""Every request the client sends is valid per GitHub's OpenAPI description.

A broad scenario drives (nearly) every endpoint method through the sandbox; the sandbox's
recorded exchanges are then checked against ``@octokit/openapi`` (request bodies, query
parameters, and the responses the client relied on).
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from fortify_github.github import app_client, installation_client, user_client
from fortify_github.github.tokens import drop_installation_token
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for

from .conftest import OWNER, REPO, head_sha

openapi = pytest.importorskip("github_sandbox.openapi")
SPEC = openapi.DEFAULT_SPEC_PATH


@pytest.mark.skipif(not Path(SPEC).exists(), reason="bin/test installs @octokit/openapi")
def test_a_broad_scenario_sends_only_valid_requests(gh: SandboxServer, tmp_path: Path) -> None:
    app = app_client()
    app.get_app()
    installations = list(app.list_installations())
    app.get_installation(installations[0]["id"])

    client = installation_client(installation_id_for(gh, OWNER))
    list(client.list_installation_repositories())
    client.get_repository(OWNER, REPO)
    client.get_repository_languages(OWNER, REPO)
    base = head_sha(gh)
    gh.state.push_commit(OWNER, REPO, "feature/scan-me", {"app/new.py": "import os\n"},
                         notify=False)
    pr = gh.state.open_pull_request(OWNER, REPO, "feature/scan-me")
    client.get_pull_request(OWNER, REPO, pr["number"])
    list(client.list_pull_request_files(OWNER, REPO, pr["number"]))
    list(client.list_pull_requests_for_commit(OWNER, REPO, pr["head"]["sha"]))
    client.compare_commits(OWNER, REPO, base, pr["head"]["sha"])
    client.get_contents(OWNER, REPO, "app/new.py", ref="feature/scan-me")
    tree = client.get_tree(OWNER, REPO, pr["head"]["sha"], recursive=True)
    blob_sha = next(entry["sha"] for entry in tree["tree"] if entry["type"] == "blob")
    client.get_blob(OWNER, REPO, blob_sha)
    client.download_tarball(OWNER, REPO, "main", tmp_path / "repo.tar.gz")

    run = client.create_check_run(
        OWNER, REPO, name="Fortify Security Scan", head_sha=pr["head"]["sha"],
        external_id="scan-42", status="in_progress", details_url="https://fortify.example/s/42",
        started_at="2024-05-01T12:00:00Z")
    client.update_check_run(
        OWNER, REPO, run["id"], status="completed", conclusion="failure",
        completed_at="2024-05-01T12:01:00Z",
        output={"title": "1 finding", "summary": "One issue", "annotations": [
            {"path": "app/new.py", "start_line": 1, "end_line": 1,
             "annotation_level": "failure", "message": "os imported"}]},
        actions=[{"label": "Apply fixes", "description": "Commit suggested fixes",
                  "identifier": "apply_fixes"}])
    client.get_check_run(OWNER, REPO, run["id"])
    list(client.list_check_runs_for_ref(OWNER, REPO, pr["head"]["sha"]))

    client.get_branch(OWNER, REPO, "main")
    protection = client.get_branch_protection(OWNER, REPO, "main")
    client.get_required_status_checks(OWNER, REPO, "main")
    client.update_required_status_checks(
        OWNER, REPO, "main", strict=True,
        checks=[*protection["required_status_checks"]["checks"],
                {"context": "Fortify Security Scan", "app_id": gh.app.id}])
    client.add_status_check_contexts(OWNER, REPO, "main", ["fortify/extra"])
    client.remove_status_check_contexts(OWNER, REPO, "main", ["fortify/extra"])
    client.update_branch_protection(OWNER, REPO, "feature/scan-me", {
        # GitHub's schema requires "contexts" (deprecated) even when "checks" is given.
        "required_status_checks": {"strict": False, "contexts": [], "checks": [
            {"context": "Fortify Security Scan", "app_id": gh.app.id}]},
        "enforce_admins": False, "required_pull_request_reviews": None, "restrictions": None})
    client.delete_branch_protection(OWNER, REPO, "feature/scan-me")

    # The org accepts contents:write (new_permissions_accepted): the cached token is dropped.
    iid = installation_id_for(gh, OWNER)
    gh.state.update_installation_permissions(
        iid, {**gh.state.installation(iid).permissions, "contents": "write"}, notify=False)
    drop_installation_token(iid)
    blob = client.create_blob(OWNER, REPO, base64.b64encode(b"fixed\n").decode(),
                              encoding="base64")
    new_tree = client.create_tree(OWNER, REPO, [
        {"path": "app/new.py", "mode": "100644", "type": "blob", "sha": blob["sha"]}],
        base_tree=tree["sha"])
    commit = client.create_commit(OWNER, REPO, message="Fortify: apply fixes",
                                  tree=new_tree["sha"], parents=[pr["head"]["sha"]])
    client.create_ref(OWNER, REPO, "refs/heads/fortify-fixes", pr["head"]["sha"])
    client.get_ref(OWNER, REPO, "heads/fortify-fixes")
    client.update_ref(OWNER, REPO, "heads/fortify-fixes", commit["sha"])

    user_token, _ = gh.state.issue_user_token("octocat")
    user = user_client(user_token.token)
    user.get_authenticated_user()
    list(user.list_user_emails())
    list(user.list_user_installations())
    user.get_rate_limit()

    gh.state.send_webhook("ping", {"zen": "Keep it logically awesome."}, wait=True)
    deliveries = list(app.list_hook_deliveries())
    app.get_hook_delivery(deliveries[0]["id"])
    app.redeliver_hook_delivery(deliveries[0]["id"])

    entries = list(gh.state.requests)
    assert len(entries) > 40
    assert all(entry["status"] < 400 for entry in entries), [
        (e["method"], e["path"], e["status"]) for e in entries if e["status"] >= 400]
    assert openapi.validate_logged_requests(entries) == []
