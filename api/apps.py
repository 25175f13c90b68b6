from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API under /api/v1/: the dashboard's data and actions, for scripts."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
