"""``manage.py replay_webhooks``: process stored webhook events again and report what happened."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.durations import parse_duration
from webhooks.models import WebhookEvent
from webhooks.services import webhook_events_replay, webhook_events_select


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1, with a clear error otherwise."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return number


class Command(BaseCommand):
    help = ("Re-process stored webhook events (every handler runs again). Processes here and "
            "reports each outcome; --enqueue hands them to the workers instead.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", choices=WebhookEvent.Status.values,
                            help="only events in this status, e.g. failed")
        parser.add_argument("--event", help="only this event type, or event.action")
        parser.add_argument("--since", help="only events received within this long, e.g. 6h")
        parser.add_argument("--delivery", help="only the event with this delivery GUID")
        parser.add_argument("--limit", type=positive_int, default=1000,
                            help="replay at most this many events (default 1000)")
        parser.add_argument("--enqueue", action="store_true",
                            help="hand the events to the workers instead of processing here")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what would be replayed, change nothing")

    def handle(self, *args, **options) -> None:
        if not any(options[name] for name in ("status", "event", "since", "delivery")):
            raise CommandError("Refusing to replay every stored event: narrow it with "
                               "--status, --event, --since or --delivery.")
        try:
            since = parse_duration(options["since"]) if options["since"] else None
        except ValueError as error:
            raise CommandError(f"--since: {error}") from None
        events = list(webhook_events_select(status=options["status"], event=options["event"],
                                            since=since, delivery=options["delivery"])
                      [: options["limit"]])
        if options["delivery"] and not events:
            raise CommandError(f"No stored event has delivery GUID {options['delivery']}.")
        results = webhook_events_replay(events, dry_run=options["dry_run"],
                                        inline=not options["enqueue"])
        for result in results:
            self.stdout.write(f"{result.delivery_id}  {result.event:40}  "
                              f"{result.before} -> {result.after}")
        verb = "would replay" if options["dry_run"] else "replayed"
        totals: dict[str, int] = {}
        for result in results:
            totals[result.after] = totals.get(result.after, 0) + 1
        summary = ", ".join(f"{count} {after}" for after, count in sorted(totals.items()))
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {len(results)} event(s)" + (f": {summary}" if summary else "")))
