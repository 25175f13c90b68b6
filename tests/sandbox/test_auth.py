"""App JWT and token verification, with GitHub's status codes and messages."""

from __future__ import annotations

import time

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from github_sandbox import SandboxServer
from github_sandbox.testing import app_jwt, installation_token

from .conftest import Api


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_jwt_signed_with_wrong_key_is_rejected(sandbox: SandboxServer) -> None:
    response = Api(sandbox, f"Bearer {app_jwt(sandbox, key_pem=_other_key())}").get("/app")
    assert response.status_code == 401
    assert response.json()["message"] == "A JSON web token could not be decoded"
    assert response.json()["status"] == "401"
    assert "x-ratelimit-remaining" in response.headers


def test_jwt_expiring_more_than_ten_minutes_ahead_is_rejected(sandbox: SandboxServer) -> None:
    now = time.time()
    token = app_jwt(sandbox, iat=now - 30, exp=now + 660)
    response = Api(sandbox, f"Bearer {token}").get("/app")
    assert response.status_code == 401
    assert response.json()["message"] == (
        "'Expiration time' claim ('exp') is too far in the future")


def test_expired_jwt_is_rejected_on_the_sandbox_clock(sandbox: SandboxServer) -> None:
    token = app_jwt(sandbox)
    assert Api(sandbox, f"Bearer {token}").get("/app").status_code == 200
    sandbox.state.clock.advance(601)
    response = Api(sandbox, f"Bearer {token}").get("/app")
    assert response.status_code == 401
    assert response.json()["message"].startswith("'Expiration time' claim ('exp') must be")


def test_issuer_may_be_the_integer_id_the_string_id_or_the_client_id(
        sandbox: SandboxServer) -> None:
    for issuer in (sandbox.app.id, str(sandbox.app.id), sandbox.app.client_id):
        assert Api(sandbox, f"Bearer {app_jwt(sandbox, issuer=issuer)}").get(
            "/app").status_code == 200
    assert Api(sandbox, f"Bearer {app_jwt(sandbox, issuer=42)}").get("/app").status_code == 401


def test_installation_token_stops_working_after_an_hour(sandbox: SandboxServer) -> None:
    api = Api(sandbox, f"token {installation_token(sandbox)}")
    assert api.get("/installation/repositories").status_code == 200
    sandbox.state.clock.advance(3601)
    response = api.get("/installation/repositories")
    assert response.status_code == 401
    assert response.json() == {"message": "Bad credentials",
                               "documentation_url": "https://docs.github.com/rest",
                               "status": "401"}


def test_token_exchange_answers_like_github(as_app: Api, sandbox: SandboxServer) -> None:
    installation_id = next(iter(sandbox.state.installations))
    response = as_app.post(f"/app/installations/{installation_id}/access_tokens")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("ghs_") and len(body["token"]) > 100
    assert body["expires_at"].endswith("Z")
    assert body["permissions"]["checks"] == "write"
    assert body["repository_selection"] == "selected"
    assert sandbox.state.token_requests == 1


def test_narrowed_token_only_reaches_its_repositories(sandbox: SandboxServer) -> None:
    token = installation_token(sandbox, repositories=["payments-api"])
    api = Api(sandbox, f"token {token}")
    assert api.get("/repos/fortify-demo/payments-api").status_code == 200
    assert api.get("/repos/fortify-demo/web-frontend").status_code == 404
    listing = api.get("/installation/repositories").json()
    assert [r["name"] for r in listing["repositories"]] == ["payments-api"]


def test_narrowing_to_an_inaccessible_repository_is_422(as_app: Api,
                                                         sandbox: SandboxServer) -> None:
    installation_id = next(iter(sandbox.state.installations))
    response = as_app.post(f"/app/installations/{installation_id}/access_tokens",
                           json={"repositories": ["inventory-service"]})
    assert response.status_code == 422


def test_repository_outside_the_installation_is_404(as_org: Api) -> None:
    # inventory-service is in the org but not selected for the installation
    assert as_org.get("/repos/fortify-demo/inventory-service").status_code == 404


def test_jwt_only_endpoints_reject_installation_tokens_and_vice_versa(
        as_org: Api, as_app: Api) -> None:
    assert as_org.get("/app").status_code == 401
    assert as_org.get("/app/installations").json()["message"] == (
        "A JSON web token could not be decoded")
    assert as_app.get("/installation/repositories").status_code == 403
    assert as_app.get("/repos/fortify-demo/payments-api").status_code == 403


def test_revoked_token_is_bad_credentials(as_org: Api) -> None:
    assert as_org.delete("/installation/token").status_code == 204
    assert as_org.get("/installation/repositories").status_code == 401


def test_missing_permission_is_resource_not_accessible(sandbox: SandboxServer) -> None:
    sandbox.state.update_installation_permissions(
        next(iter(sandbox.state.installations)), {"metadata": "read"}, notify=False)
    api = Api(sandbox, f"token {installation_token(sandbox)}")
    response = api.get("/repos/fortify-demo/payments-api/pulls")
    assert response.status_code == 403
    assert response.json()["message"] == "Resource not accessible by integration"
    assert response.headers["x-accepted-github-permissions"] == "pull_requests=read"


def test_bad_scheme_or_unknown_token(sandbox: SandboxServer) -> None:
    response = requests.get(f"{sandbox.url}/installation/repositories",
                            headers={"Authorization": "token ghs_nope"}, timeout=5)
    assert response.status_code == 401
    assert jwt  # the module is used by app_jwt; keeps the import honest for readers


def test_date_header_follows_the_sandbox_clock():
    """Clients correct their JWT timing from ``Date``; it must be GitHub's (the sandbox's)
    time, and there must be exactly one."""
    from email.utils import parsedate_to_datetime

    import requests

    from github_sandbox.testing import running_sandbox

    with running_sandbox() as server:
        server.state.clock.advance(7200)
        response = requests.get(f"{server.url}/rate_limit", timeout=5)
        date = response.headers["Date"]
        assert "," in date and date.count("GMT") == 1
        assert abs(parsedate_to_datetime(date).timestamp() - server.state.clock.now()) < 2
