from __future__ import annotations

import importlib

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Receiving, storing, routing and replaying GitHub webhook deliveries."""

    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from webhooks import checks, handlers, metrics  # noqa: F401 - registrations
        from webhooks.conf import webhook_settings

        metrics.register_backlog_collector()
        # Extra handler modules named in settings (tests make their worker processes load
        # test-only handlers this way); apps import their own handlers in their ready().
        for module in webhook_settings().extra_handler_modules:
            importlib.import_module(module)
