from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Receiving, storing, routing and replaying GitHub webhook deliveries."""

    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"
