"""``manage.py redeliver_webhooks``: recover deliveries that never reached us."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortify_github.management.github import require_github
from webhooks.durations import parse_duration
from webhooks.services import webhook_deliveries_redeliver


class Command(BaseCommand):
    help = ("List the App's webhook deliveries on GitHub (GET /app/hook/deliveries) and ask "
            "GitHub to redeliver each one that failed and whose GUID was never stored here. "
            "GitHub keeps deliveries for 3 days and never retries them by itself.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", default="6h",
                            help="look back this long (default 6h, at most 3d)")
        parser.add_argument("--max-redeliveries", type=int, default=None,
                            help="skip a GUID already redelivered this many times")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what would be redelivered, ask for nothing")

    def handle(self, *args, **options) -> None:
        try:
            since = parse_duration(options["since"])
        except ValueError as error:
            raise CommandError(f"--since: {error}") from None
        require_github()
        try:
            report = webhook_deliveries_redeliver(
                since=since, dry_run=options["dry_run"],
                max_redeliveries=options["max_redeliveries"])
        except Exception as error:  # GitHub unreachable, App not configured...
            raise CommandError(f"Could not list deliveries: {type(error).__name__}: {error}"
                               ) from None
        verb = "would redeliver" if options["dry_run"] else "redelivered"
        for entry in report.redelivered:
            name = f"{entry['event']}.{entry['action']}" if entry["action"] else entry["event"]
            self.stdout.write(f"{verb}  {entry['guid']}  {name}  "
                              f"(delivery {entry['id']}, last status {entry['status_code']})")
        for guid in report.gave_up:
            self.stdout.write(f"gave up  {guid}  (redelivered too often already)")
        for line in report.errors:
            self.stderr.write(f"error  {line}")
        self.stdout.write(self.style.SUCCESS(
            f"scanned {report.scanned} deliveries; {report.failed_guids} failed GUIDs; "
            f"{verb} {len(report.redelivered)}; already stored {len(report.already_stored)}; "
            f"gave up {len(report.gave_up)}; errors {len(report.errors)}"))
        if report.errors:
            raise CommandError(f"{len(report.errors)} redelivery request(s) failed")
