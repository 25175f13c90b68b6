"""App registration by manifest, against the sandbox: the manifest, the browser round trip,
the code converted into credentials that work, and what bad input gets."""

from __future__ import annotations

import base64
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from fortify_github.registration import APP_EVENTS, APP_PERMISSIONS


def test_the_manifest_names_every_event_and_permission_the_product_needs(capsys, settings):
    settings.FORTIFY_PUBLIC_URL = "https://fortify.example.test"
    call_command("github_app_manifest", "--name", "Fortify Acme")
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["name"] == "Fortify Acme"
    assert manifest["hook_attributes"]["url"] == \
        "https://fortify.example.test/api/webhooks/github"
    assert manifest["redirect_url"] == "https://fortify.example.test/github/app/registered"
    assert manifest["setup_url"] == "https://fortify.example.test/github/setup"
    assert {"check_suite", "check_run", "pull_request"} <= set(manifest["default_events"])
    assert manifest["default_permissions"]["administration"] == "write"
    assert manifest["default_permissions"]["checks"] == "write"


def _register_in_the_browser(client, sandbox, **query) -> tuple[str, str]:
    """Our page → the manifest posted to the sandbox → "Create" → back with a code."""
    page = client.get("/github/app/register", query)
    assert page.status_code == 200, page.content
    html = page.content.decode()
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    manifest = unescape(re.search(r'name="manifest" value="([^"]*)"', html).group(1))
    assert action.startswith(sandbox.url + "/")
    review = requests.post(action, data={"manifest": manifest}, timeout=10)
    assert review.status_code == 200 and "Create GitHub App" in review.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', review.text))
    created = requests.post(action, data={k: unescape(v) for k, v in fields.items()},
                            allow_redirects=False, timeout=10)
    assert created.status_code == 302
    location = urlsplit(created.headers["Location"])
    assert location.path == "/github/app/registered"
    params = parse_qs(location.query)
    return params["code"][0], params["state"][0]


@pytest.mark.django_db
def test_manifest_round_trip_yields_working_credentials(client, sandbox, settings):
    settings.GITHUB_WEB_URL = settings.GITHUB_API_URL = sandbox.url
    settings.GITHUB_APP_ID = ""  # a deployment with no App yet
    settings.FORTIFY_PUBLIC_URL = "http://127.0.0.1:8123"
    code, state = _register_in_the_browser(client, sandbox, name="Fortify Test")

    done = client.get("/github/app/registered", {"code": code, "state": state})
    assert done.status_code == 200, done.content
    assert "no-store" in done["Cache-Control"]
    lines = dict(line.split("=", 1) for line in
                 unescape(re.search(r'<pre id="environment">(.*?)</pre>', done.content.decode(),
                                    re.S).group(1)).split())
    assert lines["GITHUB_APP_ID"] == str(sandbox.app.id)
    assert lines["GITHUB_WEBHOOK_SECRET"] == sandbox.app.webhook_secret
    # GitHub now sends the App's webhooks where the manifest said, with what it asked for.
    assert sandbox.app.webhook_url == "http://127.0.0.1:8123/api/webhooks/github"
    assert sandbox.app.permissions == APP_PERMISSIONS
    assert sandbox.app.events == APP_EVENTS

    again = client.get("/github/app/registered", {"code": code, "state": state})
    assert again.status_code == 400, "the state is used up with the code"

    # The credentials work: the App's JWT, signed with the returned key, is accepted.
    settings.GITHUB_APP_ID = lines["GITHUB_APP_ID"]
    settings.GITHUB_APP_PRIVATE_KEY = base64.b64decode(lines["GITHUB_APP_PRIVATE_KEY"]).decode()
    settings.GITHUB_APP_PRIVATE_KEY_PATH = ""
    from fortify_github.github.probe import probe_app

    assert probe_app().outcome == "ok"


@pytest.mark.django_db
def test_a_used_code_is_refused_cleanly_by_the_command(client, sandbox, settings, tmp_path):
    settings.GITHUB_WEB_URL = settings.GITHUB_API_URL = sandbox.url
    settings.GITHUB_APP_ID = ""
    code, _ = _register_in_the_browser(client, sandbox)
    env_file = tmp_path / "fortify.env"
    call_command("github_app_manifest", "--convert", code, "--env-file", str(env_file))
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert f"GITHUB_APP_ID={sandbox.app.id}" in env_file.read_text()
    with pytest.raises(CommandError, match="works once"):
        call_command("github_app_manifest", "--convert", code)
    with pytest.raises(CommandError, match="exists"):
        call_command("github_app_manifest", "--convert", "x", "--env-file", str(env_file))


@pytest.mark.django_db
def test_registration_refuses_bad_input_and_strangers(client, sandbox, settings):
    settings.GITHUB_WEB_URL = settings.GITHUB_API_URL = sandbox.url
    settings.GITHUB_APP_ID = ""
    bad = client.get("/github/app/register", {"organization": "not an org!"})
    assert bad.status_code == 400 and b"organization must be a GitHub login" in bad.content
    forged = client.get("/github/app/registered", {"code": "abc", "state": "forged"})
    assert forged.status_code == 400 and b"Registration link expired" in forged.content
    invalid = requests.post(f"{sandbox.url}/settings/apps/new", data={"manifest": "{}"},
                            timeout=10)
    assert invalid.status_code == 422 and "hook_attributes is missing" in invalid.text

    settings.GITHUB_APP_ID = str(sandbox.app.id)  # an App is configured now
    settings.GITHUB_APP_PRIVATE_KEY_PATH = sandbox.app.private_key_path
    refused = client.get("/github/app/register")
    assert refused.status_code == 403 and b"already has a GitHub App" in refused.content
