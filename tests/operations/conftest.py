"""Fixtures for operations tests: a deployment that looks alive (a fresh worker heartbeat,
every periodic job just run), from which each test breaks one thing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone


def record_periodic_runs(*, ago: timedelta = timedelta(0)) -> None:
    """What beat writes when it sends each job: the job's row and its last run."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        every, _ = IntervalSchedule.objects.get_or_create(
            every=int(entry["schedule"]), period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(name=name, defaults={
            "task": entry["task"], "interval": every,
            "last_run_at": timezone.now() - ago, "total_run_count": 1})


def record_heartbeat(hostname: str, *, ago: timedelta = timedelta(0)) -> None:
    from fortify_github.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={
        "pid": 1, "started_at": timezone.now() - ago, "last_seen": timezone.now() - ago})


@pytest.fixture
def alive(github_settings, db):
    """GitHub (the sandbox) configured, one worker beating, every periodic job on time."""
    from fortify_github.health import forget_github_probe

    forget_github_probe()
    record_heartbeat("worker-1@test")
    record_periodic_runs()
    yield github_settings
    forget_github_probe()
