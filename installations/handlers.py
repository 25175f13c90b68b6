"""Webhook handlers for the App's lifecycle events: thin adapters onto ``services``.

Each handler re-derives the installation (and repository) it needs, so an event that arrives
after a missed one heals the gap instead of failing.
Docs: https://docs.github.com/en/webhooks/webhook-events-and-payloads
"""

from __future__ import annotations

from installations import services
from installations.models import Installation
from webhooks.payloads import require
from webhooks.routing import router


def _installation(event) -> Installation | None:
    data = event.payload.get("installation")
    if not data:
        return None
    if "account" in data:  # a full installation object: record it as it is now
        return services.installation_upsert(data)
    return services.installation_for_event(data["id"])


@router.on("installation", "created")
def installation_created(event) -> None:
    """``{"action": "created", "installation": {...}, "repositories": [{id, full_name}]}``"""
    services.installation_created(require(event.payload, "installation"),
                                  event.payload.get("repositories") or [])


@router.on("installation", "deleted")
def installation_deleted(event) -> None:
    data = require(event.payload, "installation")
    services.installation_deleted(data["id"], data)


@router.on("installation", "suspend")
def installation_suspended(event) -> None:
    services.installation_suspended(require(event.payload, "installation"))


@router.on("installation", "unsuspend")
def installation_unsuspended(event) -> None:
    services.installation_unsuspended(require(event.payload, "installation"))


@router.on("installation", "new_permissions_accepted")
def installation_permissions_accepted(event) -> None:
    services.installation_permissions_accepted(require(event.payload, "installation"))


@router.on("installation_repositories", "added", "removed")
def installation_repositories_changed(event) -> None:
    """``repositories_added`` / ``repositories_removed`` lists of minimal repository objects."""
    installation = services.installation_upsert(require(event.payload, "installation"))
    if event.payload["action"] == "added":
        for repo in require(event.payload, "repositories_added"):
            services.repository_upsert(installation, repo)
    else:
        services.repositories_removed(installation,
                                      require(event.payload, "repositories_removed"))


@router.on("installation_target", "renamed")
def installation_target_renamed(event) -> None:
    """The account was renamed: ``account`` is as it is now, ``changes.login.from`` the past."""
    services.installation_account_renamed(
        require(event.payload, "installation.id"), require(event.payload, "account"),
        (event.payload.get("changes") or {}).get("login", {}).get("from", ""))


@router.on("repository", "renamed", "transferred", "edited", "archived", "unarchived",
           "deleted", "publicized", "privatized")
def repository_changed(event) -> None:
    """Same repository id, new facts: name, owner, default branch, archived, visibility."""
    action = event.payload["action"]
    data = require(event.payload, "repository")
    if action == "deleted":
        services.repository_deleted(data)
        return
    installation = _installation(event)
    services.repository_upsert(installation, data)


@router.on("github_app_authorization", "revoked")
def authorization_revoked(event) -> None:
    """A user revoked the App's authorization: their user tokens are dead."""
    from accounts.services import authorization_revoked as revoke

    revoke(require(event.payload, "sender.id"))


@router.on("marketplace_purchase", "purchased", "changed", "cancelled", "pending_change",
           "pending_change_cancelled")
def marketplace_purchase(event) -> None:
    services.marketplace_purchase_recorded(
        event.payload["action"], require(event.payload, "marketplace_purchase"),
        event.payload.get("effective_date"))


@router.on("pull_request")
@router.on("check_run")
@router.on("check_suite")
def heal_installation_and_repository(event) -> None:
    """Events about code carry the installation id and the full repository: record both."""
    installation = _installation(event)
    data = event.payload.get("repository")
    if data:
        services.repository_for_event(installation, data)
