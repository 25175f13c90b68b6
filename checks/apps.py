from django.apps import AppConfig


class ChecksConfig(AppConfig):
    """Pull request scans, their findings and the check runs that report them."""

    name = "checks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the webhook handlers with the router, the system checks, the
        # scan tasks' log context and the worker start-up clean-up (Celery signals), and the
        # button tasks (outside ``tasks.py``, so Celery's autodiscovery needs this).
        from checks import (  # noqa: F401
            action_handlers,
            action_tasks,
            checks,
            handlers,
            log_context,
            signals,
        )
