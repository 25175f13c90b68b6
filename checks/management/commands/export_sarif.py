"""``manage.py export_sarif <scan id>``: a completed scan as a validated SARIF 2.1.0 file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from checks.models import ScanJob
from checks.sarif import SarifInvalid, scan_sarif, validate_sarif


class Command(BaseCommand):
    help = ("Write a completed scan's findings as SARIF 2.1.0 (validated against the schema), "
            "e.g. to upload them to GitHub code scanning.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scan_id", help="The scan's id: the UUID in its /scans/<id> URL.")
        parser.add_argument("--output", "-o", default="-",
                            help="File to write; '-' (the default) writes to standard output.")

    def handle(self, *args: Any, scan_id: str, output: str = "-", **options: Any) -> None:
        try:
            public_id = uuid.UUID(scan_id)
        except ValueError:
            raise CommandError(f"{scan_id!r} is not a scan id (a UUID)") from None
        scan = ScanJob.objects.select_related("repository").filter(public_id=public_id).first()
        if scan is None:
            raise CommandError(f"no scan with id {public_id}")
        if scan.status != ScanJob.Status.COMPLETED:
            raise CommandError(f"scan {public_id} is {scan.status}: only a completed scan "
                               "has results to export")
        log = scan_sarif(scan)
        try:
            validate_sarif(log)
        except SarifInvalid as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(log, indent=2)
        if output == "-":
            self.stdout.write(text)
            return
        try:
            Path(output).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        self.stderr.write(f"wrote {len(log['runs'][0]['results'])} result(s) to {output}")
