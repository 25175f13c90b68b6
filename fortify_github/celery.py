"""The Celery application: configured from Django settings (``CELERY_*``), tasks discovered
in every installed app. Run a worker with ``celery -A fortify_github worker -B``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fortify_github.settings")

app = Celery("fortify_github")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
