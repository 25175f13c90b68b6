from django.apps import AppConfig


class InstallationsConfig(AppConfig):
    """GitHub App installations, their repositories and Fortify's settings for each."""

    name = "installations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from installations import handlers  # noqa: F401 - registers webhook handlers with the router
