"""The retention job deletes what is old enough per settings, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from checks.models import CheckRun, Finding, ScanJob
from fortify_github.models import WorkerHeartbeat
from fortify_github.retention import records_prune
from installations.models import Installation, Repository
from webhooks.models import WebhookEvent


def _event(name: str, status: str, days: int) -> WebhookEvent:
    return WebhookEvent.objects.create(delivery_id=name, event="push", payload={}, status=status,
                                       received_at=timezone.now() - timedelta(days=days))


def _scan(repository: Repository, status: str, days: int) -> ScanJob:
    scan = ScanJob.objects.create(repository=repository, head_sha="b" * 40, status=status)
    ScanJob.objects.filter(pk=scan.pk).update(queued_at=timezone.now() - timedelta(days=days))
    CheckRun.objects.create(scan=scan, head_sha=scan.head_sha)
    Finding.objects.create(scan=scan, engine="bandit", rule_id="B1", severity="HIGH", title="t",
                           path="a.py", start_line=1, end_line=1, fingerprint="f")
    return scan


@pytest.mark.django_db
def test_records_prune_keeps_what_is_recent_failed_or_unfinished(settings):
    settings.RETENTION_EVENTS_DAYS = 30
    settings.RETENTION_SCANS_DAYS = 60
    _event("old-done", WebhookEvent.Status.COMPLETED, 40)
    _event("old-failed", WebhookEvent.Status.FAILED, 40)
    _event("new-done", WebhookEvent.Status.COMPLETED, 5)
    repository = Repository.objects.create(
        github_id=1, full_name="acme/api", installation=Installation.objects.create(
            installation_id=1, account_id=1, account_login="acme"))
    old = _scan(repository, ScanJob.Status.COMPLETED, 90)
    running = _scan(repository, ScanJob.Status.RUNNING, 90)
    recent = _scan(repository, ScanJob.Status.COMPLETED, 10)
    WorkerHeartbeat.objects.create(hostname="gone", pid=1, started_at=timezone.now(),
                                   last_seen=timezone.now() - timedelta(days=3))

    assert records_prune() == {"events": 1, "scans": 1, "heartbeats": 1}
    assert set(WebhookEvent.objects.values_list("delivery_id", flat=True)) == {
        "old-failed", "new-done"}
    assert set(ScanJob.objects.values_list("pk", flat=True)) == {running.pk, recent.pk}
    assert not Finding.objects.filter(scan_id=old.pk).exists()


@pytest.mark.django_db
def test_zero_days_keeps_everything(settings):
    settings.RETENTION_EVENTS_DAYS = 0
    settings.RETENTION_SCANS_DAYS = 0
    _event("ancient", WebhookEvent.Status.COMPLETED, 4000)
    assert records_prune()["events"] == 0
    assert WebhookEvent.objects.count() == 1
