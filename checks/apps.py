from django.apps import AppConfig


class ChecksConfig(AppConfig):
    """Pull request scans, their findings and the check runs that report them."""

    name = "checks"
    default_auto_field = "django.db.models.BigAutoField"
