"""Each call logged and counted under its endpoint template; no token, JWT or key ever
reaches a log record (issue 4, part 10)."""

from __future__ import annotations

import logging
import re

import pytest
import requests
from prometheus_client import REGISTRY

from fortify_github.github import app_client, installation_client, user_client
from fortify_github.github.auth import app_jwt
from fortify_github.github.errors import NotFound
from fortify_github.github.redaction import RedactSecretsFilter, redact
from fortify_github.github.tokens import installation_token
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for

from .conftest import OWNER, REPO, head_sha

TEMPLATE = re.compile(r"^(GET|POST|PATCH|PUT|DELETE) (/[a-z_\-]*|/\{[a-z_]+\})+$")


def _secrets(server: SandboxServer) -> list[str]:
    with server.state.lock:
        tokens = list(server.state.tokens) + list(server.state.refresh_tokens)
    key_lines = [line for line in server.app.private_key_pem.splitlines()
                 if line and "-----" not in line]
    return [*tokens, app_jwt(), *key_lines]


def _scenario(server: SandboxServer) -> None:
    """Token fetch, calls, a 401 and renewal, errors, a user token, a check run."""
    iid = installation_id_for(server, OWNER)
    client = installation_client(iid)
    client.get_repository(OWNER, REPO)
    old = installation_token(iid)
    requests.delete(f"{server.url}/installation/token", timeout=10,
                    headers={"Authorization": f"Bearer {old}"})
    client.get_repository_languages(OWNER, REPO)  # 401, renewal, retry
    with pytest.raises(NotFound):
        client.get_repository(OWNER, "missing")
    server.state.faults.add("GET", f"/repos/{OWNER}/{REPO}/branches/*", "server_error",
                            status=502)
    client.get_branch(OWNER, REPO, "main")
    client.create_check_run(OWNER, REPO, name="Fortify Security Scan", head_sha=head_sha(server),
                            external_id="observability")
    user_token, _ = server.state.issue_user_token("octocat")
    user_client(user_token.token).get_authenticated_user()
    list(app_client().list_installations())


def test_no_token_jwt_or_key_appears_in_captured_logs(gh: SandboxServer, caplog,
                                                      capfd) -> None:
    caplog.set_level(logging.DEBUG)  # everything, urllib3's debug lines included
    _scenario(gh)
    text = "\n".join(
        record.getMessage() + (record.exc_text or "") for record in caplog.records)
    printed = "\n".join(capfd.readouterr())
    assert "GitHub GET /repos/{owner}/{repo} -> 200" in text
    for secret in _secrets(gh):
        assert secret not in text
        assert secret not in printed
    assert "eyJ" not in text and "PRIVATE KEY" not in text


def test_each_request_is_logged_with_its_template_status_and_request_id(
        gh: SandboxServer, caplog) -> None:
    caplog.set_level(logging.INFO, logger="fortify_github.github")
    installation_client(installation_id_for(gh, OWNER)).get_repository(OWNER, REPO)
    record = next(r for r in caplog.records
                  if getattr(r, "github_endpoint", "") == "GET /repos/{owner}/{repo}")
    assert record.github_status == 200
    assert record.github_request_id == gh.state.requests[-1]["request_id"]
    assert record.ratelimit_remaining == "4999"  # the installation's own budget
    assert record.duration_ms >= 0


def test_metrics_count_requests_by_endpoint_template(gh: SandboxServer) -> None:
    labels = {"endpoint": "GET /repos/{owner}/{repo}", "status_code": "200"}
    before = REGISTRY.get_sample_value("github_api_requests_total", labels) or 0
    durations = REGISTRY.get_sample_value("github_api_request_duration_seconds_count",
                                          {"endpoint": "GET /repos/{owner}/{repo}"}) or 0
    client = installation_client(installation_id_for(gh, OWNER))
    client.get_repository(OWNER, REPO)
    client.get_repository(OWNER, "web-frontend")
    assert REGISTRY.get_sample_value("github_api_requests_total", labels) == before + 2
    assert REGISTRY.get_sample_value("github_api_request_duration_seconds_count",
                                     {"endpoint": "GET /repos/{owner}/{repo}"}) == durations + 2


def test_metric_labels_stay_bounded(gh: SandboxServer) -> None:
    _scenario(gh)
    endpoints = {sample.labels["endpoint"] for metric in REGISTRY.collect()
                 if metric.name == "github_api_requests" for sample in metric.samples
                 if "endpoint" in sample.labels}
    assert endpoints
    for endpoint in endpoints:
        assert TEMPLATE.match(endpoint) or endpoint == "POST /login/oauth/access_token", endpoint
        assert not re.search(r"\d{3,}|fortify-demo|payments", endpoint), endpoint


def test_the_redaction_filter_masks_secrets_in_any_record(gh: SandboxServer) -> None:
    token = installation_token(installation_id_for(gh, OWNER))
    jwt_value = app_jwt()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1,
                               "token %s jwt %s key %s url %s", (
                                   token, jwt_value, gh.app.private_key_pem,
                                   "https://codeload.example/x.tar.gz?token=AABBCC"), None)
    RedactSecretsFilter().filter(record)
    message = record.getMessage()
    assert token not in message and jwt_value not in message
    assert "PRIVATE KEY" not in message and "AABBCC" not in message
    assert redact("nothing secret here") == "nothing secret here"
