"""Without Redis (the embedded default) the shared state lives in the database cache: tokens,
locks, throttle and circuit breaker are still shared by every process."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections

from fortify_github.github import installation_client, shared
from fortify_github.github.breaker import circuit_state
from fortify_github.github.errors import CircuitOpen, SecondaryRateLimited, ServerError
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for

from .conftest import OWNER, REPO, head_sha

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_cache(gh: SandboxServer, settings) -> SandboxServer:
    settings.REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "fortify_cache", "KEY_PREFIX": "fortify"}}
    call_command("createcachetable", verbosity=0)
    assert shared.redis_client() is None
    yield gh
    cache.clear()


def test_threads_share_one_token_through_the_database_cache(database_cache: SandboxServer) -> None:
    gh = database_cache
    iid = installation_id_for(gh, OWNER)

    def call(_: int) -> str:
        try:
            return installation_client(iid).get_repository(OWNER, REPO)["name"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(call, range(20))) == {REPO}
    assert gh.state.token_requests == 1


def test_throttle_and_breaker_work_on_the_database_cache(database_cache: SandboxServer,
                                                         settings) -> None:
    gh = database_cache
    settings.GITHUB_CONTENT_REQUESTS_PER_MINUTE = 1
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 0
    settings.GITHUB_CIRCUIT_FAIL_MAX = 2
    settings.GITHUB_RETRY_MAX_ATTEMPTS = 1
    client = installation_client(installation_id_for(gh, OWNER))
    run = client.create_check_run(OWNER, REPO, name="Fortify Security Scan",
                                  head_sha=head_sha(gh), external_id="embedded")
    with pytest.raises(SecondaryRateLimited):
        client.update_check_run(OWNER, REPO, run["id"], status="in_progress")

    gh.state.faults.add("GET", f"/repos/{OWNER}/{REPO}", "server_error", times=10)
    for _ in range(2):
        with pytest.raises(ServerError):
            client.get_repository(OWNER, REPO)
    with pytest.raises(CircuitOpen):
        client.get_repository(OWNER, REPO)
    assert circuit_state()["state"] == "open" and circuit_state()["shared"] is True


def test_waiting_too_long_for_a_shared_lock_is_transient() -> None:
    """A busy lock (throttle, token fetch) makes the task retry, never fail for good."""
    from fortify_github.github import shared
    from fortify_github.github.errors import is_transient

    error = shared.LockTimeout("throttle:installation:1")
    assert is_transient(error) and error.retry_after == 5
