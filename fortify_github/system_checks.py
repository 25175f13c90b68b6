"""Configuration problems as Django system checks, so they are reported rather than fatal to
every command.

``manage.py help`` and each command's ``--help`` always work; ``runserver``, ``migrate`` and
``check`` print these errors and stop, and the WSGI application, Celery workers and beat refuse
to start with them (``refuse_to_start_on_errors``). Messages name variables, never values.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from fortify_github.environment import production_problems

PRODUCTION_PREFIX = "Fortify refuses to start in production mode (DJANGO_DEBUG is off): "


@checks.register()
def production_configuration(app_configs: object, **kwargs: object) -> list[checks.CheckMessage]:
    """Every secret production needs, set and not a placeholder (development needs none)."""
    if settings.DEBUG:
        return []
    return [
        checks.Error(PRODUCTION_PREFIX + problem,
                     hint="Set this variable, or set DJANGO_DEBUG=true for local development.",
                     id="fortify.E001")
        for problem in production_problems()
    ]


@checks.register()
def metrics_networks(app_configs: object, **kwargs: object) -> list[checks.CheckMessage]:
    """Every ``METRICS_ALLOWED_NETWORKS`` entry parses (a typo would silently open nothing)."""
    import ipaddress

    errors: list[checks.CheckMessage] = []
    for network in settings.METRICS_ALLOWED_NETWORKS:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            errors.append(checks.Error(
                f"METRICS_ALLOWED_NETWORKS: {network!r} is not an IP network (e.g. 10.0.0.0/8).",
                id="fortify.E002"))
    return errors


def refuse_to_start_on_errors(process: str) -> None:
    """Run the system checks and stop a long-running process (web, worker, beat) on errors."""
    errors = [message for message in checks.run_checks()
              if message.level >= checks.ERROR and not message.is_silenced()]
    if errors:
        listed = "\n  - ".join(str(message) for message in errors)
        raise ImproperlyConfigured(f"The {process} cannot start:\n  - {listed}")
