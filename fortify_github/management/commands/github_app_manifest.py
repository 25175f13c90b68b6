import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fortify_github.github.errors import GitHubError
from fortify_github.registration import app_manifest, app_registration_complete


class Command(BaseCommand):
    help = ("Print the GitHub App manifest for this deployment (URLs under FORTIFY_PUBLIC_URL), "
            "or, with --convert CODE, turn the code GitHub redirected with into the App's "
            "settings. The browser flow is /github/app/register.")
    # Used before the App exists, when production secrets are still missing.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--name", default="Fortify", help="The App's name on GitHub.")
        parser.add_argument("--public-url", help="Where GitHub reaches this service "
                            "(default FORTIFY_PUBLIC_URL).")
        parser.add_argument("--convert", metavar="CODE",
                            help="Convert a manifest code into the App's settings (once).")
        parser.add_argument("--env-file", metavar="PATH",
                            help="With --convert: write the settings to this new file (0600) "
                                 "instead of printing them.")

    def handle(self, *args, name, public_url, convert, env_file, **options):
        if env_file and not convert:
            raise CommandError("--env-file goes with --convert CODE.")
        if not convert:
            self.stdout.write(json.dumps(app_manifest(name=name, public_url=public_url),
                                         indent=2))
            return
        target = Path(env_file) if env_file else None
        if target is not None and target.exists():
            raise CommandError(f"{target} exists: choose a new file (nothing was converted).")
        try:
            registration = app_registration_complete(convert)
        except GitHubError as error:
            raise CommandError(f"GitHub did not convert the code ({type(error).__name__}): it "
                               "works once, within an hour of the App's creation.") from None
        if target is None:
            self.stdout.write(registration.environment())
            return
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(registration.environment())
        self.stdout.write(self.style.SUCCESS(
            f"App {registration.slug} (id {registration.app_id}): settings written to {target}."))
