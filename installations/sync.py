"""Reconciliation with GitHub: heal whatever missed or lost webhooks left out of date.

GitHub does not retry failed deliveries, so the list of installations and repositories it
reports is the truth we return to daily (and on demand with ``sync_installations``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from fortify_github.github import errors
from installations import services
from installations.models import Installation, Repository

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)
    installations_seen: int = 0
    repositories_seen: int = 0

    def note(self, message: str) -> None:
        self.changes.append(message)


def _sync_repositories(installation: Installation, report: SyncReport) -> None:
    from fortify_github.github import installation_client

    client = installation_client(installation.installation_id)
    remote = list(client.list_installation_repositories())
    report.repositories_seen += len(remote)
    known = {repo.github_id: repo for repo in Repository.objects.filter(
        github_id__in=[data["id"] for data in remote])}
    for data in remote:
        before = known.get(data["id"])
        repository = services.repository_upsert(installation, data)
        if before is None:
            report.note(f"repository {repository.full_name} added to "
                        f"{installation.account_login}")
        elif not before.is_installed or before.installation_id != installation.pk:
            report.note(f"repository {repository.full_name} back in "
                        f"{installation.account_login}")
        elif before.full_name != repository.full_name:
            report.note(f"repository {before.full_name} renamed to {repository.full_name}")
        try:
            repository.languages = client.get_repository_languages(repository.owner,
                                                                   repository.name)
            repository.save(update_fields=["languages", "updated_at"])
        except errors.NotFound:
            pass  # renamed or deleted between the two calls: the next sync settles it
    remote_ids = {data["id"] for data in remote}
    gone = installation.repositories.filter(is_installed=True).exclude(github_id__in=remote_ids)
    for repository in gone:
        report.note(f"repository {repository.full_name} removed from "
                    f"{installation.account_login}")
    services.repositories_removed(installation, [{"id": repo.github_id} for repo in gone])


def _sync_one(data: dict, report: SyncReport) -> None:
    before = Installation.objects.filter(installation_id=data["id"]).first()
    installation = services.installation_upsert(data)
    if installation.status == Installation.Status.DELETED:
        # GitHub still lists it, so it exists: a lost "created" event left it deleted here.
        installation.status = (Installation.Status.SUSPENDED if installation.suspended_at
                               else Installation.Status.ACTIVE)
        installation.deleted_at = None
    report.installations_seen += 1
    if before is None:
        report.note(f"installation {installation.installation_id} "
                    f"({installation.account_login}) added")
    elif before.status != installation.status:
        report.note(f"installation {installation.installation_id} "
                    f"({installation.account_login}) {before.status} → {installation.status}")
    if installation.is_active:
        _sync_repositories(installation, report)
    installation.last_synced_at = timezone.now()
    installation.save(update_fields=["status", "deleted_at", "last_synced_at", "updated_at"])


def sync_installations(*, installation_id: int | None = None,
                       dry_run: bool = False) -> SyncReport:
    """Bring installations and their repositories in line with GitHub; report each change."""
    from fortify_github.github import app_client

    client = app_client()
    report = SyncReport()
    if installation_id is not None:
        try:
            remote = [client.get_installation(installation_id)]
        except errors.NotFound:
            remote = []
    else:
        remote = list(client.list_installations())
    remote_ids = {data["id"] for data in remote}
    with transaction.atomic():
        for data in remote:
            try:
                with transaction.atomic():  # one installation failing keeps the others
                    _sync_one(data, report)
            except errors.TransientGitHubError:
                raise  # GitHub is struggling: try the whole run again later
            except errors.GitHubError as error:
                report.note(f"installation {data['id']}: could not be read "
                            f"({type(error).__name__}); left as it was")
        vanished = Installation.objects.exclude(status=Installation.Status.DELETED)
        vanished = (vanished.filter(installation_id=installation_id)
                    if installation_id is not None else vanished)
        for installation in vanished.exclude(installation_id__in=remote_ids):
            report.note(f"installation {installation.installation_id} "
                        f"({installation.account_login}) deleted on GitHub")
            if not dry_run:
                services.installation_deleted(installation.installation_id)
        if dry_run:
            transaction.set_rollback(True)
    logger.info("sync_installations: %d change(s)%s", len(report.changes),
                " (dry run)" if dry_run else "")
    return report
