from django.apps import AppConfig


class InstallationsConfig(AppConfig):
    """GitHub App installations, their repositories and Fortify's settings for each."""

    name = "installations"
    default_auto_field = "django.db.models.BigAutoField"
