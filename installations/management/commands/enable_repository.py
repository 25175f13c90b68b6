from django.core.management.base import BaseCommand, CommandError

from fortify_github.management.github import require_github
from fortify_github.scanning import Severity
from installations import services
from installations.branch_protection import protect_branch
from installations.models import Repository


class Command(BaseCommand):
    help = ("Enable (or --disable) Fortify scanning of a repository, optionally requiring the "
            "Fortify check in branch protection.")

    def add_arguments(self, parser):
        parser.add_argument("repository", metavar="OWNER/REPO")
        parser.add_argument("--disable", action="store_true",
                            help="Stop scanning and take the Fortify check out of protection.")
        parser.add_argument("--protect-branch", nargs="?", const="", default=None,
                            metavar="BRANCH", dest="branch_to_protect",
                            help="Require the Fortify check on BRANCH (default branch if omitted).")
        parser.add_argument("--threshold", type=str.upper, choices=Severity.values,
                            help="Lowest severity that fails the check run.")

    def handle(self, *args, repository, disable, branch_to_protect: str | None, threshold,
               **options):
        if "/" not in repository:
            raise CommandError(f"{repository!r} is not OWNER/REPO.")
        if disable and branch_to_protect is not None:
            raise CommandError("--disable and --protect-branch contradict each other.")
        repo = Repository.objects.filter(full_name__iexact=repository).first()
        if repo is None:
            raise CommandError(f"Fortify does not know {repository}: is the App installed on "
                               "it? Run `manage.py sync_installations` to refresh.")
        was_protected = repo.branch_protection_status == Repository.ProtectionStatus.ENABLED
        if branch_to_protect is not None or (disable and was_protected):
            require_github()  # before changing anything: protection is set on GitHub
        repo = services.repository_configure(repo, failure_threshold=threshold)
        repo = services.repository_set_enabled(repo, not disable)
        state = "disabled" if disable else "enabled"
        self.stdout.write(f"{repo.full_name}: scanning {state}, failure threshold "
                          f"{repo.failure_threshold}.")
        if disable and was_protected:
            self._report(repo)
        if branch_to_protect is not None:
            outcome = protect_branch(repo, branch_to_protect or None)
            self._report(repo)
            if outcome.status == Repository.ProtectionStatus.FAILED:
                raise CommandError(f"Branch protection not configured: {outcome.reason}")

    def _report(self, repo: Repository) -> None:
        repo.refresh_from_db()
        reason = f": {repo.branch_protection_reason}" if repo.branch_protection_reason else ""
        self.stdout.write(f"{repo.full_name}@{repo.branch_protection_branch}: branch protection "
                          f"{repo.branch_protection_status}{reason}")
