"""``manage.py receive_webhook EVENT PAYLOAD.json``: sign a payload file and post it to a
running service, as GitHub would (like Probot's ``receive``), for local development."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from webhooks.signatures import signature_for


class Command(BaseCommand):
    help = "Sign PAYLOAD.json with the webhook secret and POST it as a GitHub EVENT delivery."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("event", help="the X-GitHub-Event, e.g. pull_request")
        parser.add_argument("payload", help="path of a JSON payload file")
        port = os.environ.get("PORT", "8000")
        parser.add_argument("--url", default=f"http://127.0.0.1:{port}/api/webhooks/github",
                            help="the receiver (default: the local service)")
        parser.add_argument("--secret", default=None,
                            help="sign with this secret (default: GITHUB_WEBHOOK_SECRET's first)")
        parser.add_argument("--delivery", default=None,
                            help="the X-GitHub-Delivery GUID (default: a new one)")
        parser.add_argument("--form", action="store_true",
                            help="send as application/x-www-form-urlencoded (payload=...)")

    def handle(self, *args, **options) -> None:
        import requests

        path = Path(options["payload"])
        try:
            payload = json.loads(path.read_text())
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        except ValueError:
            raise CommandError(f"{path} is not JSON.") from None
        secret = options["secret"] or next(iter(settings.GITHUB_WEBHOOK_SECRETS), "")
        if not secret:
            raise CommandError("No secret: set GITHUB_WEBHOOK_SECRET or pass --secret.")
        text = json.dumps(payload)
        if options["form"]:
            body = urlencode({"payload": text}).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = text.encode(), "application/json"
        delivery = options["delivery"] or str(uuid.uuid4())
        headers = {
            "Content-Type": content_type,
            "User-Agent": "GitHub-Hookshot/fortify-receive-webhook",
            "X-GitHub-Event": options["event"],
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature_for(body, secret),
        }
        try:
            response = requests.post(options["url"], data=body, headers=headers, timeout=15)
        except requests.RequestException as error:
            raise CommandError(f"Could not reach {options['url']}: {type(error).__name__}"
                               ) from None
        self.stdout.write(f"{delivery} -> HTTP {response.status_code} {response.text.strip()}")
        if not 200 <= response.status_code < 300:
            raise CommandError(f"The receiver answered {response.status_code}.")
