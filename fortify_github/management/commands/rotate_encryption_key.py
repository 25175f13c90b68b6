"""``manage.py rotate_encryption_key``: re-encrypt stored tokens under the first key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fortify_github.encryption import rotate_encryption_keys


class Command(BaseCommand):
    help = ("Re-encrypt every stored token under the first TOKEN_ENCRYPTION_KEY key. "
            "Prepend the new key, run this, then remove the old key.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="Only check that every value decrypts; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        report = rotate_encryption_keys(dry_run=dry_run)
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        for label, count in report.models.items():
            line = f"{label}: {verb} {count.values} value(s) in {count.rows} row(s)"
            if count.undecryptable:
                line += f", {count.undecryptable} value(s) decrypt under no configured key"
            self.stdout.write(line)
        if report.undecryptable:
            raise CommandError(
                f"{report.undecryptable} stored value(s) decrypt under none of the "
                "TOKEN_ENCRYPTION_KEY keys; they were left unchanged."
            )
        self.stdout.write(self.style.SUCCESS("Done." if not dry_run else "Dry run: no change."))
