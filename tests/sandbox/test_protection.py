"""Branch protection: GitHub's body shapes, and who may read or change it."""

from __future__ import annotations

from github_sandbox import SandboxServer

from .conftest import Api

PROTECTION = "/repos/fortify-demo/payments-api/branches/main/protection"


def test_seeded_protection_reads_like_github(as_org: Api) -> None:
    body = as_org.get(PROTECTION).json()
    checks = body["required_status_checks"]
    assert checks["strict"] is True
    assert checks["checks"] == [{"context": "ci/build", "app_id": 15368}]
    assert checks["contexts"] == ["ci/build"]
    assert checks["url"].endswith("/protection/required_status_checks")
    assert body["enforce_admins"] == {"url": f"{body['url']}/enforce_admins", "enabled": True}
    assert body["required_pull_request_reviews"]["required_approving_review_count"] == 2


def test_round_trip_put_get_contexts_delete(as_org: Api, sandbox: SandboxServer) -> None:
    put = as_org.put(PROTECTION, json={
        "required_status_checks": {"strict": True, "checks": [
            {"context": "ci/build", "app_id": 15368},
            {"context": "Fortify", "app_id": sandbox.app.id}]},
        "enforce_admins": False,
        "required_pull_request_reviews": {"required_approving_review_count": 1},
        "restrictions": None,
    })
    assert put.status_code == 200
    assert put.json()["required_status_checks"]["contexts"] == ["ci/build", "Fortify"]
    contexts = f"{PROTECTION}/required_status_checks/contexts"
    assert as_org.get(contexts).json() == ["ci/build", "Fortify"]
    assert as_org.delete(contexts, json=["ci/build"]).json() == ["Fortify"]
    assert as_org.post(contexts, json={"contexts": ["lint"]}).json() == ["Fortify", "lint"]
    patched = as_org.patch(f"{PROTECTION}/required_status_checks", json={"strict": False})
    assert patched.json()["strict"] is False
    assert as_org.delete(PROTECTION).status_code == 204
    missing = as_org.get(PROTECTION)
    assert missing.status_code == 404 and missing.json()["message"] == "Branch not protected"
    branch = as_org.get("/repos/fortify-demo/payments-api/branches/main").json()
    assert branch["protected"] is False


def test_put_requires_all_four_keys(as_org: Api) -> None:
    response = as_org.put(PROTECTION, json={"required_status_checks": None,
                                            "enforce_admins": True})
    assert response.status_code == 422


def test_unprotected_branch_is_404(as_org: Api) -> None:
    response = as_org.get("/repos/fortify-demo/payments-api/branches/vuln/sql-injection/protection")
    assert response.status_code == 404
    assert response.json()["message"] == "Branch not protected"


def test_installation_without_administration_is_forbidden(as_user_installation: Api) -> None:
    response = as_user_installation.get(
        "/repos/octocat/hello-world/branches/main/protection")
    assert response.status_code == 403
    assert response.json()["message"] == "Resource not accessible by integration"


def test_admin_user_token_may_change_protection(sandbox: SandboxServer) -> None:
    token, _ = sandbox.state.issue_user_token("octocat")
    api = Api(sandbox, f"Bearer {token.token}")
    assert api.get(PROTECTION).status_code == 200
    outsider, _ = sandbox.state.issue_user_token("mona-contrib")
    assert Api(sandbox, f"Bearer {outsider.token}").get(PROTECTION).status_code == 404
