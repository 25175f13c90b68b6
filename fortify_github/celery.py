"""The Celery application: configured from Django settings (``CELERY_*``), tasks discovered
in every installed app.

Run workers with ``celery -A fortify_github worker`` and exactly one
``celery -A fortify_github beat`` (see docs/deployment.md). Both refuse to start while the
system checks report errors, and each worker writes a heartbeat the health endpoint reads.
"""

import os

from celery import Celery, signals

from fortify_github.logcontext import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortify_github.settings")

app = Celery("fortify_github")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker also runs the webhook dispatcher (stored deliveries announced by pg_notify).
app.steps["worker"].add("webhooks.dispatch:DispatchStep")

# Delivery, installation, repository and scan ids travel with the work into every log line.
connect_celery_signals()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task: object = None, **kwargs: object) -> None:
    """Tasks get the connection lifecycle Django gives requests: a connection past
    ``CONN_MAX_AGE``, broken, or left outside autocommit is dropped at the task's edges, and
    the first query after a task starts checks the connection (``CONN_HEALTH_CHECKS``).

    Celery's own Django fixup closes every connection around every task instead (unless
    ``CELERY_DB_REUSE_MAX`` is set, as the settings do): each task then paid a new PostgreSQL
    connection, a forked backend, and a worker finished a backlog of webhooks at under half
    the rate it does now (``docs/performance.md``). An eager task (tests, ``apply()``) runs
    inside its caller's transaction and is left alone, as the fixup leaves it.
    """
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_init.connect
def _check_worker_configuration(**kwargs: object) -> None:
    from fortify_github.system_checks import refuse_to_start_on_errors

    refuse_to_start_on_errors("Celery worker")


@signals.beat_init.connect
def _check_beat_configuration(**kwargs: object) -> None:
    from fortify_github.system_checks import refuse_to_start_on_errors

    refuse_to_start_on_errors("Celery beat")


@signals.worker_ready.connect
def _start_heartbeat(sender: object = None, **kwargs: object) -> None:
    from fortify_github.heartbeat import heartbeat_start

    heartbeat_start(str(getattr(sender, "hostname", "") or "worker"))


@signals.worker_shutdown.connect
def _stop_heartbeat(**kwargs: object) -> None:
    from fortify_github.heartbeat import heartbeat_stop

    heartbeat_stop()
