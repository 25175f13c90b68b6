"""Fixtures for the sandbox's own tests: a fresh seeded sandbox per test, and HTTP helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from github_sandbox import SandboxServer
from github_sandbox.testing import app_jwt, installation_token, running_sandbox


@pytest.fixture(scope="session")
def sandbox_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One App key for the session: RSA key generation is the slowest part of a start."""
    return tmp_path_factory.mktemp("sandbox-keys")


@pytest.fixture
def sandbox(sandbox_key_dir: Path) -> Iterator[SandboxServer]:
    with running_sandbox(key_dir=sandbox_key_dir) as server:
        yield server


class Api:
    """A thin HTTP client bound to one sandbox and one Authorization header."""

    def __init__(self, server: SandboxServer, authorization: str | None) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/vnd.github+json"
        self.session.headers["X-GitHub-Api-Version"] = "2022-11-28"
        if authorization:
            self.session.headers["Authorization"] = authorization

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.server.url + path
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, url, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def as_app(sandbox: SandboxServer) -> Api:
    return Api(sandbox, f"Bearer {app_jwt(sandbox)}")


@pytest.fixture
def as_org(sandbox: SandboxServer) -> Api:
    """The seeded fortify-demo installation (selected repos, administration: write)."""
    return Api(sandbox, f"token {installation_token(sandbox, 'fortify-demo')}")


@pytest.fixture
def as_user_installation(sandbox: SandboxServer) -> Api:
    """The seeded octocat installation (all repos, no administration)."""
    return Api(sandbox, f"token {installation_token(sandbox, 'octocat')}")
