"""Fixtures for the GitHub client's tests: a sandbox per test, settings pointed at it, fast
retry tunables, and shared state (Redis keys) that never leaks from one test to the next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fortify_github.github import installation_client, shared
from fortify_github.github.client import GitHubClient
from github_sandbox import SandboxServer
from github_sandbox.testing import installation_id_for, running_sandbox

OWNER, REPO = "fortify-demo", "payments-api"


@pytest.fixture(scope="session")
def sandbox_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One App key for the session: RSA key generation is the slowest part of a start."""
    return tmp_path_factory.mktemp("github-client-sandbox-keys")


@pytest.fixture
def sandbox(sandbox_key_dir: Path) -> Iterator[SandboxServer]:
    from tests.conftest import assert_product_requests_conform

    with running_sandbox(key_dir=sandbox_key_dir) as server:
        yield server
    assert_product_requests_conform(server)


def _forget_shared_state() -> None:
    """Delete this sandbox's keys (every key carries the API URL's hash); never a FLUSHDB."""
    client = shared.redis_client()
    if client is None:
        return
    namespace = shared.api_namespace()
    for pattern in (f"*github:{namespace}:*",):
        for key in client.scan_iter(match=pattern, count=500):
            client.delete(key)


@pytest.fixture
def gh(github_settings: SandboxServer, settings) -> Iterator[SandboxServer]:
    """The sandbox, with the client pointed at it and tuned for quick tests."""
    settings.GITHUB_RETRY_BACKOFF_BASE = 0.05
    settings.GITHUB_RETRY_BACKOFF_MAX = 0.2
    settings.GITHUB_RETRY_MAX_TOTAL_WAIT = 5
    settings.GITHUB_HTTP_READ_TIMEOUT = 5
    settings.GITHUB_RATE_LIMIT_MAX_WAIT = 10
    settings.GITHUB_CIRCUIT_FAIL_MAX = 50
    settings.GITHUB_CIRCUIT_RESET_SECONDS = 2
    _forget_shared_state()
    try:
        yield github_settings
    finally:
        _forget_shared_state()


@pytest.fixture
def installation_id(gh: SandboxServer) -> int:
    return installation_id_for(gh, OWNER)


@pytest.fixture
def client(installation_id: int) -> GitHubClient:
    return installation_client(installation_id)


def requests_to(server: SandboxServer, method: str, pattern: str) -> list[dict]:
    return server.state.requests_to(method, pattern)


def head_sha(server: SandboxServer, owner: str = OWNER, repo: str = REPO,
             branch: str = "main") -> str:
    target = server.state.repository(owner, repo)
    return target.branches[branch]


__all__ = ["OWNER", "REPO", "head_sha", "requests_to"]
