"""The one package through which the product talks to GitHub.

    from fortify_github.github import app_client, installation_client, user_client

    installation_client(installation_id).create_check_run(owner, repo, name=..., ...)

Errors are in ``fortify_github.github.errors``; the circuit breaker's state for ``/health`` is
``fortify_github.github.breaker.circuit_state()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fortify_github.github.client import GitHubClient


def app_client() -> GitHubClient:
    """Speaks as the App itself (JWT): installations, tokens, webhook deliveries."""
    from fortify_github.github.client import GitHubClient
    from fortify_github.github.credentials import AppCredential

    return GitHubClient(AppCredential())


def installation_client(installation_id: int, *, repositories: list[str] | None = None,
                        permissions: dict[str, str] | None = None) -> GitHubClient:
    """Speaks as one installation, with its shared cached token (optionally narrowed to
    ``repositories`` (names) and ``permissions``, e.g. ``{"contents": "read"}``)."""
    from fortify_github.github.client import GitHubClient
    from fortify_github.github.credentials import InstallationCredential

    return GitHubClient(InstallationCredential(installation_id, repositories=repositories,
                                               permissions=permissions))


def user_client(access_token: str) -> GitHubClient:
    """Speaks as a user (OAuth or user-to-server token; see ``accounts.services`` to get a
    fresh one)."""
    from fortify_github.github.client import GitHubClient
    from fortify_github.github.credentials import TokenCredential

    return GitHubClient(TokenCredential(access_token))


def anonymous_client() -> GitHubClient:
    """Speaks without a credential (the App manifest conversion)."""
    from fortify_github.github.client import GitHubClient
    from fortify_github.github.credentials import AnonymousCredential

    return GitHubClient(AnonymousCredential())


__all__ = ["anonymous_client", "app_client", "installation_client", "user_client"]
