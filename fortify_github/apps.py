from __future__ import annotations

from django.apps import AppConfig


class FortifyConfig(AppConfig):
    """The project package: settings checks, health (worker heartbeats), retention, metrics."""

    name = "fortify_github"
    verbose_name = "Fortify operations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fortify_github import metrics, system_checks  # noqa: F401 - registers checks

        metrics.register_collectors()
