"""``manage.py prune_webhook_events --older-than 90d``: delete old processed events."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.durations import parse_duration
from webhooks.services import webhook_events_prune


class Command(BaseCommand):
    help = ("Delete completed and ignored webhook events received longer ago than "
            "--older-than. Failed events are kept unless --include-failed; pending and "
            "processing events are never deleted.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", required=True, help="e.g. 90d")
        parser.add_argument("--include-failed", action="store_true",
                            help="delete old failed events too")
        parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    def handle(self, *args, **options) -> None:
        try:
            older_than = parse_duration(options["older_than"])
        except ValueError as error:
            raise CommandError(f"--older-than: {error}") from None
        count = webhook_events_prune(older_than=older_than,
                                     include_failed=options["include_failed"],
                                     dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {count} webhook event(s) older than {options['older_than']}"))
