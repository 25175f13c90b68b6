"""Webhook handlers for the App's lifecycle events: thin adapters onto ``services``.

Before any handler of an event about code or a repository runs, the pre-dispatch step
``heal_installation_and_repository`` makes sure its installation and repository rows exist,
so an event that arrives after a missed one heals the gap instead of failing.
Docs: https://docs.github.com/en/webhooks/webhook-events-and-payloads
"""

from __future__ import annotations

from fortify_github.github.errors import NotFound
from installations import services
from installations.models import Installation
from webhooks.models import WebhookEvent
from webhooks.payloads import require
from webhooks.routing import router


def _installation(event: WebhookEvent) -> Installation | None:
    data = event.payload.get("installation")
    if not data:
        return None
    if "account" in data:  # a full installation object: record it as it is now
        return services.installation_upsert(data)
    return services.installation_for_event(data["id"])


@router.on("installation", "created")
def installation_created(event: WebhookEvent) -> None:
    """``{"action": "created", "installation": {...}, "repositories": [{id, full_name}]}``"""
    services.installation_created(require(event.payload, "installation"),
                                  event.payload.get("repositories") or [])


@router.on("installation", "deleted")
def installation_deleted(event: WebhookEvent) -> None:
    data = require(event.payload, "installation")
    services.installation_deleted(data["id"], data)


@router.on("installation", "suspend")
def installation_suspended(event: WebhookEvent) -> None:
    services.installation_suspended(require(event.payload, "installation"))


@router.on("installation", "unsuspend")
def installation_unsuspended(event: WebhookEvent) -> None:
    services.installation_unsuspended(require(event.payload, "installation"))


@router.on("installation", "new_permissions_accepted")
def installation_permissions_accepted(event: WebhookEvent) -> None:
    services.installation_permissions_accepted(require(event.payload, "installation"))


@router.on("installation_repositories", "added", "removed")
def installation_repositories_changed(event: WebhookEvent) -> None:
    """``repositories_added`` / ``repositories_removed`` lists of minimal repository objects."""
    installation = services.installation_upsert(require(event.payload, "installation"))
    if event.payload["action"] == "added":
        for repo in require(event.payload, "repositories_added"):
            services.repository_upsert(installation, repo)
    else:
        services.repositories_removed(installation,
                                      require(event.payload, "repositories_removed"))


@router.on("installation_target", "renamed")
def installation_target_renamed(event: WebhookEvent) -> None:
    """The account was renamed: ``account`` is as it is now, ``changes.login.from`` the past."""
    services.installation_account_renamed(
        require(event.payload, "installation.id"), require(event.payload, "account"),
        (event.payload.get("changes") or {}).get("login", {}).get("from", ""))


@router.on("repository", "renamed", "transferred", "edited", "archived", "unarchived",
           "deleted", "publicized", "privatized")
def repository_changed(event: WebhookEvent) -> None:
    """Same repository id, new facts: name, owner, default branch, archived, visibility."""
    action = event.payload["action"]
    data = require(event.payload, "repository")
    if action == "deleted":
        services.repository_deleted(data)
        return
    installation = _installation(event)
    services.repository_upsert(installation, data)


@router.on("github_app_authorization", "revoked")
def authorization_revoked(event: WebhookEvent) -> None:
    """A user revoked the App's authorization: their user tokens are dead."""
    from accounts.services import authorization_revoked as revoke

    revoke(require(event.payload, "sender.id"))


@router.on("marketplace_purchase", "purchased", "changed", "cancelled", "pending_change",
           "pending_change_cancelled")
def marketplace_purchase(event: WebhookEvent) -> None:
    services.marketplace_purchase_recorded(
        event.payload["action"], require(event.payload, "marketplace_purchase"),
        event.payload.get("effective_date"))


# Events about code and repositories name the installation and the repository they concern.
HEALED_EVENTS = frozenset({"pull_request", "check_run", "check_suite", "repository"})


@router.before_handlers
def heal_installation_and_repository(event: WebhookEvent) -> str | None:
    """Before any handler runs, once: make sure the installation and repository rows exist
    (an event may arrive after one we missed). Returns why the event is ignored when it is
    not for an installation of this App."""
    if event.event not in HEALED_EVENTS:
        return None
    data = event.payload.get("installation")
    if not data or not data.get("id"):
        return "not sent to an installation of this App (no installation in the payload)"
    try:
        installation = _installation(event)
    except NotFound:
        return f"installation {data['id']} is unknown to GitHub (the App was uninstalled)"
    repository = event.payload.get("repository")
    if repository and not (event.event == "repository" and
                           event.payload.get("action") == "deleted"):
        services.repository_for_event(installation, repository)
    return None


# Deliberately ignored (a handler for one of these is a bug the router reports at start-up).
router.ignore("repository", "created",
              reason="a new repository reaches the App through installation_repositories")
