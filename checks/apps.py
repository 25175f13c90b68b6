from django.apps import AppConfig


class ChecksConfig(AppConfig):
    """Pull request scans, their findings and the check runs that report them."""

    name = "checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the webhook handlers with the router, the system checks and the
        # worker start-up clean-up.
        from checks import checks, handlers, signals  # noqa: F401
