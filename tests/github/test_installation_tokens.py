"""Installation tokens: one per installation for every process, renewed before expiry, replaced
exactly once after a 401, dropped when the installation goes (issue 4, part 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings

from fortify_github.github import installation_client, shared
from fortify_github.github.client import GitHubClient
from fortify_github.github.errors import NotFound, PermissionDenied
from fortify_github.github.tokens import drop_installation_token, installation_token
from github_sandbox import SandboxServer

from .conftest import OWNER, REPO

BASE_DIR = Path(django_settings.BASE_DIR)

CHILD = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    from fortify_github.github import installation_client
    from fortify_github.github.tokens import installation_token
    client = installation_client(int(sys.argv[1]))
    for _ in range(5):
        client.get_repository("fortify-demo", "payments-api")
    # Only a fingerprint crosses the pipe: the token itself is never printed.
    import hashlib
    print(json.dumps({"token": hashlib.sha256(
        installation_token(int(sys.argv[1])).encode()).hexdigest()}))
""")


def _fingerprint(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def test_twenty_calls_in_one_process_share_one_token(gh: SandboxServer,
                                                    client: GitHubClient) -> None:
    for _ in range(20):
        client.get_repository(OWNER, REPO)
    assert gh.state.token_requests == 1
    assert len(gh.state.requests_to("GET", f"/repos/{OWNER}/{REPO}")) == 20


def test_concurrent_threads_fetch_one_token(gh: SandboxServer, installation_id: int) -> None:
    def call(_: int) -> str:
        return installation_client(installation_id).get_repository(OWNER, REPO)["full_name"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(call, range(20))) == {f"{OWNER}/{REPO}"}
    assert gh.state.token_requests == 1


def test_two_processes_share_one_token(gh: SandboxServer, installation_id: int) -> None:
    """Two other Python processes (and this one) need the token at once: GitHub mints one."""
    env = {
        **os.environ, **gh.env(),
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DJANGO_DEBUG": "true",
        "GITHUB_APP_PRIVATE_KEY": "",
        "REDIS_URL": django_settings.REDIS_URL,
        "TOKEN_ENCRYPTION_KEY": ",".join(django_settings.TOKEN_ENCRYPTION_KEYS),
        "PYTHONPATH": str(BASE_DIR),
    }
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(installation_id)], cwd=BASE_DIR,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    mine = installation_token(installation_id)
    fingerprints = {_fingerprint(mine)}
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-3000:]
        fingerprints.add(json.loads(out.strip().splitlines()[-1])["token"])
    assert len(fingerprints) == 1
    assert gh.state.token_requests == 1
    assert len(gh.state.requests_to("GET", f"/repos/{OWNER}/{REPO}")) == 10


def test_token_is_replaced_before_it_expires(gh: SandboxServer, client: GitHubClient,
                                            settings) -> None:
    """With the margin at "2 s of life left", the next call after 2 s gets a new token while
    GitHub would still accept the old one: no call ever meets a 401."""
    settings.GITHUB_TOKEN_REFRESH_MARGIN = 3600 - 2
    client.get_repository(OWNER, REPO)
    client.get_repository(OWNER, REPO)
    assert gh.state.token_requests == 1
    time.sleep(2.5)
    client.get_repository(OWNER, REPO)
    assert gh.state.token_requests == 2
    with gh.state.lock:
        tokens = [t for t in gh.state.tokens.values() if t.kind == "installation"]
    assert all(t.expires_at > gh.state.clock.now() for t in tokens)  # the old one still valid
    assert all(entry["status"] != 401 for entry in gh.state.requests)


def test_a_401_leads_to_exactly_one_new_token(gh: SandboxServer, installation_id: int) -> None:
    """GitHub revokes the cached token; ten concurrent calls all see a 401, one new token."""
    old = installation_token(installation_id)
    revoked = requests.delete(f"{gh.url}/installation/token", timeout=10,
                              headers={"Authorization": f"Bearer {old}",
                                       "Accept": "application/vnd.github+json"})
    assert revoked.status_code == 204
    assert gh.state.token_requests == 1

    def call(_: int) -> str:
        return installation_client(installation_id).get_repository(OWNER, REPO)["full_name"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(call, range(10))) == {f"{OWNER}/{REPO}"}
    assert gh.state.token_requests == 2
    assert installation_token(installation_id) != old


def test_narrowed_tokens_are_cached_under_their_own_key(gh: SandboxServer,
                                                        installation_id: int) -> None:
    wide = installation_client(installation_id)
    narrow = installation_client(installation_id, repositories=["payments-api"],
                                 permissions={"contents": "read", "metadata": "read"})
    wide.get_repository(OWNER, "web-frontend")
    for _ in range(3):
        narrow.get_repository(OWNER, REPO)
    assert gh.state.token_requests == 2
    body = gh.state.requests_to("POST", "/app/installations/*/access_tokens")[-1]["json"]
    assert body == {"repositories": ["payments-api"],
                    "permissions": {"contents": "read", "metadata": "read"}}
    with pytest.raises(NotFound):
        narrow.get_repository(OWNER, "web-frontend")  # outside the narrowed token
    wide.get_repository(OWNER, "web-frontend")
    assert gh.state.token_requests == 2


def test_dropping_forgets_every_token_of_the_installation(gh: SandboxServer,
                                                          installation_id: int) -> None:
    installation_client(installation_id).get_repository(OWNER, REPO)
    installation_client(installation_id, repositories=["payments-api"]).get_repository(OWNER,
                                                                                       REPO)
    assert gh.state.token_requests == 2
    drop_installation_token(installation_id)
    installation_client(installation_id).get_repository(OWNER, REPO)
    installation_client(installation_id, repositories=["payments-api"]).get_repository(OWNER,
                                                                                       REPO)
    assert gh.state.token_requests == 4


def test_deleted_installation_raises_not_found_and_keeps_no_token(
        gh: SandboxServer, installation_id: int, client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    gh.state.delete_installation(installation_id, notify=False)
    with pytest.raises(NotFound):
        client.get_repository(OWNER, REPO)
    with pytest.raises(NotFound):
        client.get_repository(OWNER, REPO)
    # Each attempt asked GitHub for a token (404) instead of reusing a dead one.
    token_posts = gh.state.requests_to("POST", "/app/installations/*/access_tokens")
    assert [r["status"] for r in token_posts] == [201, 404, 404]


def test_suspended_installation_raises_permission_denied(
        gh: SandboxServer, installation_id: int, client: GitHubClient) -> None:
    client.get_repository(OWNER, REPO)
    gh.state.suspend_installation(installation_id, notify=False)
    with pytest.raises(PermissionDenied, match="suspended"):
        client.get_repository(OWNER, REPO)
    with pytest.raises(PermissionDenied, match="suspended"):
        client.get_repository(OWNER, REPO)
    token_posts = gh.state.requests_to("POST", "/app/installations/*/access_tokens")
    assert [r["status"] for r in token_posts] == [201, 403]
    gh.state.unsuspend_installation(installation_id, notify=False)
    assert client.get_repository(OWNER, REPO)["name"] == REPO


def test_tokens_in_the_shared_cache_are_ciphertext(gh: SandboxServer,
                                                   installation_id: int) -> None:
    token = installation_token(installation_id)
    redis = shared.redis_client()
    assert redis is not None
    keys = list(redis.scan_iter(match=f"*github:{shared.api_namespace()}:installation-token:*"))
    assert keys
    for key in keys:
        raw = redis.get(key)
        assert raw is not None
        assert token.encode() not in raw and b"ghs_" not in raw


def test_an_hour_later_on_githubs_clock_the_client_recovers_by_itself(github_settings):
    """GitHub's clock moves an hour: the cached token has expired there and our JWTs look
    stale. The client gets a 401, learns GitHub's time from ``Date``, and continues with one
    new token."""
    from fortify_github.github import installation_client
    from github_sandbox.testing import installation_id_for

    sandbox = github_settings
    installation_id = installation_id_for(sandbox)
    client = installation_client(installation_id)
    client.get_repository("fortify-demo", "payments-api")
    issued = sandbox.state.token_requests

    sandbox.state.clock.advance(3601)
    try:
        assert client.get_repository("fortify-demo", "payments-api")["name"] == "payments-api"
        assert sandbox.state.token_requests == issued + 1
    finally:
        from fortify_github.github.auth import note_clock_skew

        note_clock_skew(0.0)
