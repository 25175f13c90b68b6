"""Settings for the test suite: the real settings, with test defaults put in the environment.

Defaults go into ``os.environ`` (not just here) so that processes the tests start, such as
Celery workers and ``manage.py`` subprocesses, run with exactly the same configuration.
"""

import os

from cryptography.fernet import Fernet

os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fortify")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("TOKEN_ENCRYPTION_KEY", Fernet.generate_key().decode())
os.environ.setdefault("GITHUB_WEBHOOK_SECRET", "test-webhook-secret")

from fortify_github.settings import *  # noqa: F403
