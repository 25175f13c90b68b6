"""Clicks on the check run's buttons and "Re-run" links, recorded before anything else.

GitHub sends ``check_run.rerequested``, ``check_run.requested_action`` and
``check_suite.rerequested`` when someone clicks; each click is a ``CheckRunAction`` row (who,
when, which button, what came of it), so the dashboard can show it and a button never
"does nothing" silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from checks.models import CheckRunAction, ScanJob
from installations.models import Repository

Json = Mapping[str, Any]


def scan_for_check_run(check_run: Json, repository: Repository) -> ScanJob | None:
    """Our scan behind a check run of ``repository``: ``external_id`` is its public id."""
    scans = ScanJob.objects.filter(repository=repository)
    external_id = str(check_run.get("external_id") or "")
    scan = None
    if external_id:
        try:
            scan = scans.filter(public_id=external_id).first()
        except (ValueError, TypeError, ValidationError):  # not a UUID: not one of ours
            scan = None
    if scan is None and check_run.get("id"):
        scan = scans.filter(check_run__github_id=check_run["id"]).first()
    return scan


def check_run_action_record(*, payload: Json, action: str, delivery: str,
                            repository: Repository | None,
                            scan: ScanJob | None) -> CheckRunAction:
    """The click as a row, once per delivery (a redelivered webhook reuses its row)."""
    sender = payload.get("sender") or {}
    run = payload.get("check_run") or {}
    suite = payload.get("check_suite") or {}
    fields = {
        "scan": scan, "repository": repository,
        "github_check_run_id": run.get("id"),
        "head_sha": str(run.get("head_sha") or suite.get("head_sha") or "")[:40],
        "sender_id": sender.get("id"), "sender_login": str(sender.get("login") or "")[:255],
    }
    if delivery:
        existing = CheckRunAction.objects.filter(delivery_id=delivery, action=action).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return CheckRunAction.objects.create(action=action, delivery_id=delivery,
                                                     **fields)
        except IntegrityError:  # the same delivery processed twice at once
            return CheckRunAction.objects.get(delivery_id=delivery, action=action)
    return CheckRunAction.objects.create(action=action, **fields)


def check_run_action_finish(click: CheckRunAction, outcome: str, *, detail: str = "",
                            reference: str = "", result_scan: ScanJob | None = None) -> None:
    click.outcome = outcome
    click.detail = detail[:255]
    if reference:
        click.reference_id = reference
    if result_scan is not None:
        click.result_scan = result_scan
    click.save()
