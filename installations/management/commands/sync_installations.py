from django.core.management.base import BaseCommand, CommandError

from fortify_github.github import errors
from fortify_github.management.github import require_github
from installations.sync import sync_installations


class Command(BaseCommand):
    help = ("Reconcile installations and their repositories with what GitHub lists, "
            "printing every change.")

    def add_arguments(self, parser):
        parser.add_argument("--installation", type=int, help="Only this installation id.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would change without changing anything.")

    def handle(self, *args, installation=None, dry_run=False, **options):
        require_github()
        try:
            report = sync_installations(installation_id=installation, dry_run=dry_run)
        except errors.GitHubError as error:
            raise CommandError(f"GitHub could not be read: {type(error).__name__}") from None
        prefix = "would: " if dry_run else ""
        for change in report.changes:
            self.stdout.write(f"{prefix}{change}")
        self.stdout.write(self.style.SUCCESS(
            f"{report.installations_seen} installation(s), {report.repositories_seen} "
            f"repositories checked; {len(report.changes)} change(s)"
            f"{' (dry run: nothing written)' if dry_run else ''}."))
