from __future__ import annotations

import importlib

from django.apps import AppConfig
from django.conf import settings


class WebhooksConfig(AppConfig):
    """Receiving, storing, routing and replaying GitHub webhook deliveries."""

    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from webhooks import checks, metrics  # noqa: F401 - checks registers system checks

        metrics.register_backlog_collector()
        # Extra handler modules named in settings (tests make their worker processes load
        # test-only handlers this way); apps import their own handlers in their ready().
        for module in getattr(settings, "WEBHOOK_EXTRA_HANDLER_MODULES", []):
            importlib.import_module(module)
