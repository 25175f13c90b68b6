from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Pages for signed-in people: their installations, repositories, scans and account."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
