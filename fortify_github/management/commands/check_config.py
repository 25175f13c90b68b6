from django.core.management.base import BaseCommand, CommandError

from fortify_github.configuration_report import configuration_report


class Command(BaseCommand):
    help = ("Validate every setting (secrets, key formats, the private key) and ask the "
            "database, Redis and GitHub whether they answer; exit non-zero on any problem.")
    # Reports configuration problems itself, so the system checks must not stop it first.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        findings = configuration_report()
        for finding in findings:
            mark = self.style.SUCCESS("ok  ") if finding.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {finding.subject}: {finding.message}")
        failed = [finding for finding in findings if not finding.ok]
        if failed:
            raise CommandError(f"{len(failed)} configuration problem(s), listed above.")
        self.stdout.write(self.style.SUCCESS("Configuration OK."))
