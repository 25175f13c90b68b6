"""The Celery application: configured from Django settings (``CELERY_*``), tasks discovered
in every installed app. Run a worker with ``celery -A fortify_github worker -B``."""

import os

from celery import Celery

from fortify_github.logcontext import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortify_github.settings")

app = Celery("fortify_github")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Delivery, installation, repository and scan ids travel with the work into every log line.
connect_celery_signals()
