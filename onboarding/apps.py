from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """The door people come in by: free scan, install request, verified setup, memberships."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "onboarding"

    def ready(self) -> None:
        from onboarding import handlers  # noqa: F401 - registers webhook handlers
