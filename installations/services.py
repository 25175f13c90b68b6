"""Writes to installations and repositories, from webhooks, reconciliation and operators.

Every function takes GitHub's own JSON objects (as webhooks and the REST API send them), so the
webhook handlers and the reconciliation job share one way of recording what GitHub says.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from fortify_github.github.errors import NotFound
from installations.models import Installation, MarketplacePlan, Repository

logger = logging.getLogger(__name__)

Json = Mapping[str, Any]


def _timestamp(value: Any) -> datetime | None:
    """GitHub sends ISO 8601 strings, and epoch seconds in some installation payloads."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


# --- installations ------------------------------------------------------------------------

def installation_upsert(data: Json, *, setup_source: str | None = None) -> Installation:
    """Create or refresh an installation from GitHub's installation object."""
    account = data.get("account") or {}
    suspended_at = _timestamp(data.get("suspended_at"))
    defaults: dict[str, Any] = {
        "account_id": account.get("id") or data.get("target_id") or 0,
        "account_login": account.get("login") or account.get("slug") or "",
        "account_type": account.get("type") or data.get("target_type") or "User",
        "target_type": data.get("target_type") or account.get("type") or "User",
        "repository_selection": data.get("repository_selection") or "selected",
        "permissions": dict(data.get("permissions") or {}),
        "events": list(data.get("events") or []),
    }
    installation, created = Installation.objects.get_or_create(
        installation_id=data["id"],
        defaults={**defaults, "setup_source": setup_source or _default_setup_source(
            defaults["account_id"])},
    )
    if not created:
        for field, value in defaults.items():
            setattr(installation, field, value)
        if setup_source:
            installation.setup_source = setup_source
    if installation.status != Installation.Status.DELETED or created:
        installation.status = (Installation.Status.SUSPENDED if suspended_at
                               else Installation.Status.ACTIVE)
    installation.suspended_at = suspended_at
    suspended_by = data.get("suspended_by") or {}
    installation.suspended_by = suspended_by.get("login", "") if suspended_at else ""
    installation.save()
    return installation


def _default_setup_source(account_id: int) -> str:
    """With no pending install request: Marketplace when the account bought a plan there."""
    if MarketplacePlan.objects.filter(account_id=account_id).exists():
        return Installation.SetupSource.MARKETPLACE
    return Installation.SetupSource.DIRECT


def installation_created(data: Json, repositories: Iterable[Json]) -> Installation:
    """A new (or re-) installation: it is active again and covers exactly these repositories."""
    with transaction.atomic():
        installation = installation_upsert(data)
        installation.status = (Installation.Status.SUSPENDED if installation.suspended_at
                               else Installation.Status.ACTIVE)
        installation.deleted_at = None
        installation.save(update_fields=["status", "deleted_at", "updated_at"])
        for repo in repositories:
            repository_upsert(installation, repo)
    return installation


def installation_deleted(installation_id: int, data: Json | None = None) -> Installation | None:
    """Uninstalled: stop all work for it, keep its history, forget its token."""
    from fortify_github.github.tokens import drop_installation_token

    installation = Installation.objects.filter(installation_id=installation_id).first()
    if installation is None and data is not None:
        installation = installation_upsert(data)
    drop_installation_token(installation_id)
    if installation is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        installation.status = Installation.Status.DELETED
        installation.deleted_at = now
        installation.save(update_fields=["status", "deleted_at", "updated_at"])
        installation.repositories.filter(is_installed=True).update(
            is_installed=False, enabled=False, removed_at=now, updated_at=now)
    return installation


def installation_suspended(data: Json) -> Installation:
    from fortify_github.github.tokens import drop_installation_token

    installation = installation_upsert(data)
    if installation.status == Installation.Status.DELETED:
        return installation  # a late event must not bring an uninstalled App back
    installation.status = Installation.Status.SUSPENDED
    installation.suspended_at = installation.suspended_at or timezone.now()
    installation.save(update_fields=["status", "suspended_at", "updated_at"])
    drop_installation_token(installation.installation_id)
    return installation


def installation_unsuspended(data: Json) -> Installation:
    installation = installation_upsert(data)
    if installation.status == Installation.Status.DELETED:
        return installation  # a late event must not bring an uninstalled App back
    installation.status = Installation.Status.ACTIVE
    installation.suspended_at = None
    installation.suspended_by = ""
    installation.save(update_fields=["status", "suspended_at", "suspended_by", "updated_at"])
    return installation


def installation_permissions_accepted(data: Json) -> Installation:
    """New permissions accepted: record them and clear warnings they now satisfy."""
    from fortify_github.github.tokens import drop_installation_token
    from installations.permissions import clear_satisfied_warnings

    installation = installation_upsert(data)
    # A cached token still carries the old permissions.
    drop_installation_token(installation.installation_id)
    clear_satisfied_warnings(installation)
    return installation


def installation_account_renamed(installation_id: int, account: Json,
                                 previous_login: str) -> Installation:
    """The account behind an installation changed its login: repository names follow."""
    installation = installation_for_event(installation_id)
    new_login = account.get("login") or account.get("slug") or installation.account_login
    installation.account_login = new_login
    installation.save(update_fields=["account_login", "updated_at"])
    if previous_login and previous_login != new_login:
        for repository in installation.repositories.filter(  # logins are case-insensitive
                full_name__istartswith=f"{previous_login}/"):
            repository.full_name = f"{new_login}/{repository.name}"
            repository.save(update_fields=["full_name", "updated_at"])
    return installation


# How long GitHub's "no such installation" is believed: a stream of events naming one would
# otherwise cost an App request each, from the budget that mints every installation's token.
UNKNOWN_INSTALLATION_SECONDS = 300


def _unknown_installation_key(installation_id: int) -> str:
    return f"installations:unknown-to-github:{installation_id}"


def installation_for_event(installation_id: int) -> Installation:
    """The installation an event names, fetched from GitHub if we never saw it (self-healing).

    Raises ``NotFound`` when GitHub does not know it; for ``UNKNOWN_INSTALLATION_SECONDS``
    after that, without asking again. GitHub sends an installation's ``created`` event with
    the whole installation, which is recorded without this lookup, so a new installation
    is never hidden by an earlier answer.
    """
    installation = Installation.objects.filter(installation_id=installation_id).first()
    if installation is not None:
        return installation
    from fortify_github.github import app_client

    if cache.get(_unknown_installation_key(installation_id)):
        raise NotFound(f"installation {installation_id} was unknown to GitHub moments ago",
                       endpoint="GET /app/installations/{installation_id}", status=404)
    logger.info("installation %s unknown: fetching it from GitHub", installation_id)
    try:
        data = app_client().get_installation(installation_id)
    except NotFound:
        cache.set(_unknown_installation_key(installation_id), True,
                  UNKNOWN_INSTALLATION_SECONDS)
        raise
    return installation_upsert(data)


# --- repositories -------------------------------------------------------------------------

def repository_upsert(installation: Installation | None, data: Json) -> Repository:
    """Create or refresh a repository from GitHub's repository object (full or minimal)."""
    fields: dict[str, Any] = {"full_name": data["full_name"]}
    for source, target in (("node_id", "node_id"), ("private", "private"),
                           ("archived", "archived"), ("default_branch", "default_branch")):
        if data.get(source) is not None:
            fields[target] = data[source]
    if (size := github_size_kb(data)) is not None:
        fields["size_kb"] = size
    if installation is not None:
        fields["installation"] = installation
        fields["is_installed"] = True
        fields["removed_at"] = None
    fields["last_synced_at"] = timezone.now()
    repository, created = Repository.objects.get_or_create(github_id=data["id"], defaults=fields)
    if not created:
        was_installed = repository.is_installed
        for field, value in fields.items():
            setattr(repository, field, value)
        if installation is not None and not was_installed and repository.deleted_at is None:
            # Re-added to an installation after a removal or uninstall: scan it again.
            repository.enabled = True
        repository.save()
    return repository


def github_size_kb(data: Json) -> int | None:
    """GitHub's ``size`` of a repository (KB), or ``None`` when absent or not a size: a
    malformed one must not fail the event that carries it."""
    size = data.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return None
    return size


def repositories_removed(installation: Installation, repositories: Iterable[Json]) -> int:
    """Repositories taken out of an installation stop being scanned; their history stays."""
    ids = [repo["id"] for repo in repositories]
    now = timezone.now()
    return Repository.objects.filter(github_id__in=ids, installation=installation).update(
        is_installed=False, removed_at=now, updated_at=now)


def repository_for_event(installation: Installation | None, data: Json) -> Repository:
    """The repository an event names, recorded if we never saw it (self-healing)."""
    repository = Repository.objects.filter(github_id=data["id"]).first()
    if repository is None or repository.full_name != data.get("full_name") or (
            installation is not None and repository.installation_id != installation.pk):
        return repository_upsert(installation, data)
    size = github_size_kb(data)
    if size is not None and size != repository.size_kb:
        # GitHub recomputes it hourly; a scan of this event decides how to fetch by it.
        Repository.objects.filter(pk=repository.pk).update(size_kb=size)
        repository.size_kb = size
    return repository


def repository_files_seen(repository: Repository, files: int | None) -> None:
    """Record how many files the repository's archive held when a scan read one (``None``:
    it read none): GitHub reports no file count, and the next pull request's scan decides
    by it whether the archive is worth downloading (``checks.fetch``)."""
    if files is not None and files != repository.file_count:
        Repository.objects.filter(pk=repository.pk).update(file_count=files)
        repository.file_count = files


def repository_deleted(data: Json) -> Repository | None:
    repository = Repository.objects.filter(github_id=data["id"]).first()
    if repository is None:
        return None
    now = timezone.now()
    repository.deleted_at = now
    repository.is_installed = False
    repository.enabled = False
    repository.removed_at = now
    repository.save()
    return repository


def marketplace_purchase_recorded(action: str, purchase: Json, effective_date: Any) -> \
        MarketplacePlan:
    """Keep an account's plan as GitHub reports it; pending changes wait for their date."""
    account = purchase.get("account") or {}
    plan = purchase.get("plan") or {}
    record, _ = MarketplacePlan.objects.get_or_create(
        account_id=account["id"],
        defaults={"account_login": account.get("login", ""),
                  "account_type": account.get("type", "User")},
    )
    record.account_login = account.get("login", record.account_login)
    record.account_type = account.get("type", record.account_type)
    effective = _timestamp(effective_date)
    if action in {"purchased", "changed"}:
        record.plan_id = plan.get("id")
        record.plan_name = plan.get("name", "")
        record.price_model = plan.get("price_model") or ""
        record.billing_cycle = purchase.get("billing_cycle") or ""
        record.unit_count = purchase.get("unit_count")
        record.on_free_trial = bool(purchase.get("on_free_trial"))
        record.free_trial_ends_on = _timestamp(purchase.get("free_trial_ends_on"))
        record.next_billing_date = _timestamp(purchase.get("next_billing_date"))
        record.status = MarketplacePlan.Status.ACTIVE
        record.effective_date = effective
        record.cancelled_at = None
        record.pending_plan_name, record.pending_plan_id = "", None
        record.pending_effective_date = None
    elif action == "cancelled":
        record.status = MarketplacePlan.Status.CANCELLED
        record.cancelled_at = effective or timezone.now()
        record.pending_plan_name, record.pending_plan_id = "", None
        record.pending_effective_date = None
    elif action == "pending_change":
        record.pending_plan_name = plan.get("name", "")
        record.pending_plan_id = plan.get("id")
        record.pending_effective_date = effective
    elif action == "pending_change_cancelled":
        record.pending_plan_name, record.pending_plan_id = "", None
        record.pending_effective_date = None
    record.save()
    if action == "purchased":
        # The purchase can arrive after the install: the installation came from Marketplace.
        Installation.objects.filter(account_id=record.account_id,
                                    setup_source=Installation.SetupSource.DIRECT).update(
            setup_source=Installation.SetupSource.MARKETPLACE)
    return record


# --- Fortify settings ---------------------------------------------------------------------

def repository_configure(repository: Repository, *, enabled: bool | None = None,
                         failure_threshold: str | None = None, scan_mode: str | None = None,
                         excluded_paths: list[str] | None = None) -> Repository:
    """Change a repository's Fortify settings; only the given ones change."""
    changes = {"enabled": enabled, "failure_threshold": failure_threshold,
               "scan_mode": scan_mode, "excluded_paths": excluded_paths}
    for field, value in changes.items():
        if value is not None:
            setattr(repository, field, value)
    repository.full_clean(exclude=["installation"])
    repository.save()
    return repository


def repository_set_enabled(repository: Repository, enabled: bool) -> Repository:
    """Turn scanning on or off. Disabling also takes our check out of branch protection:
    a required check that no longer runs would block every pull request."""
    from installations.branch_protection import unprotect_branch

    repository = repository_configure(repository, enabled=enabled)
    if not enabled and repository.branch_protection_status == \
            Repository.ProtectionStatus.ENABLED:
        unprotect_branch(repository)
        repository.refresh_from_db()
    return repository
