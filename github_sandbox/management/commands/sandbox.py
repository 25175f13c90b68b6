"""``manage.py sandbox``: run the local GitHub sandbox and print how to point Fortify at it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Run the GitHub sandbox (a local github.com + api.github.com) for development and "
            "demos, and print the environment lines that point the service at it.")

    def add_arguments(self, parser):
        public = settings.FORTIFY_PUBLIC_URL
        parser.add_argument("--port", type=int, default=8900)
        parser.add_argument("--key-dir", default=str(Path(settings.VAR_DIR) / "sandbox"),
                            help="Where the App's key and secrets persist across restarts.")
        parser.add_argument("--env-file", help="Also write the environment lines to this file.")
        parser.add_argument("--webhook-url", default=f"{public}/api/webhooks/github",
                            help="Where the sandbox delivers webhooks.")
        parser.add_argument("--setup-url", default=f"{public}/github/setup",
                            help="Where the App install page redirects afterwards.")
        parser.add_argument("--callback-url", default=f"{public}/auth/complete/github/",
                            help="The OAuth redirect URL.")
        parser.add_argument("--no-seed", action="store_true", help="Start without demo data.")

    def handle(self, *args, port, key_dir, env_file, webhook_url, setup_url, callback_url,
               no_seed, **options):
        if not settings.DEBUG:
            raise CommandError("The GitHub sandbox is for development: set DJANGO_DEBUG=true.")
        from github_sandbox.server import SandboxServer

        server = SandboxServer(port=port, seed=not no_seed, key_dir=key_dir, persist_ids=True)
        server.app.webhook_url = webhook_url
        server.app.setup_url = setup_url
        server.app.callback_url = callback_url
        try:
            server.start()
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
        lines = [f"{key}={value}" for key, value in server.env().items()]
        if env_file:
            Path(env_file).write_text("\n".join(lines) + "\n")
        self.stdout.write(f"GitHub sandbox running on {server.url}/ (Ctrl-C stops it)")
        self.stdout.write("Point Fortify at it with:")
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.flush()
        server.serve_until_stopped()
