"""Thin Celery tasks for installations; the work lives in services and sync."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="installations.sync_installations")
def sync_installations_task() -> int:
    """Daily reconciliation: heal anything missed webhooks left behind."""
    from installations.sync import sync_installations

    return len(sync_installations().changes)
