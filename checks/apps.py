from django.apps import AppConfig


class ChecksConfig(AppConfig):
    """Pull request scans, their findings and the check runs that report them."""

    name = "checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from checks import handlers  # noqa: F401 - registers webhook handlers with the router
