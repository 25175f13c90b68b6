"""Django settings for Fortify's GitHub integration.

Every value comes from the environment, read here and nowhere else (see README's
configuration table). With no DATABASE_URL and no REDIS_URL the service runs on embedded
defaults: SQLite, a file-system Celery transport, and a database cache shared by all processes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fortify_github.config import (
    env_bool,
    env_list,
    env_str,
    local_encryption_key,
    production_problems,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FORTIFY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)

if not DEBUG and (problems := production_problems()):
    raise ImproperlyConfigured(
        "Fortify refuses to start in production mode (DJANGO_DEBUG is off):\n  - "
        + "\n  - ".join(problems)
        + "\nSet these variables, or set DJANGO_DEBUG=true for local development."
    )

# In development a throwaway key is fine; production must set one (checked above).
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or "dev-only-" + "0123456789abcdef" * 4
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "fortify_github",
    "accounts",
    "installations",
    "webhooks",
    "checks",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "fortify_github.urls"
WSGI_APPLICATION = "fortify_github.wsgi.application"
ASGI_APPLICATION = "fortify_github.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fortify.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60,
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Web and worker write concurrently: WAL plus IMMEDIATE transactions avoid
        # "database is locked" on the embedded default.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis, cache and Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "fortify",
        }
    }
else:
    # Every process (web, worker, beat) must see the same installation tokens and locks:
    # a database cache is shared, per-process memory would not be.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fortify_cache",
            "KEY_PREFIX": "fortify",
        }
    }

CELERY_QUEUE_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Longer than the hard time limit, so an unacknowledged running task is not redelivered
    # to a second worker while the first is still on it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # The file-system transport needs no server, yet the worker is still its own process.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_QUEUE_DIR / 'results'}"
    for folder in ("queue", "control", "results"):
        (CELERY_QUEUE_DIR / folder).mkdir(parents=True, exist_ok=True)

# JSON only: payloads stay readable and no pickled object ever crosses the broker.
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the task ran, so a worker killed mid-task leaves it to be redelivered.
CELERY_TASK_ACKS_LATE = True
# A worker that dies with a task in hand rejects it back to the queue instead of losing it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per process: a long scan never holds short webhook tasks hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A scan that hangs is stopped: soft limit lets the task clean up, hard limit kills it.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Results are only read by health checks and tests; keep them a day, not forever.
CELERY_RESULT_EXPIRES = 24 * 3600
# Workers started before the broker keep retrying instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's bookkeeping lives with the other local state, not in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic jobs run by `celery -A fortify_github worker -B`; each app adds its own entries.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- GitHub ----------------------------------------------------------------------------------
GITHUB_API_URL = env_str("GITHUB_API_URL", "https://api.github.com").rstrip("/")
GITHUB_WEB_URL = env_str("GITHUB_WEB_URL", "https://github.com").rstrip("/")
GITHUB_APP_ID = env_str("GITHUB_APP_ID")
GITHUB_APP_SLUG = env_str("GITHUB_APP_SLUG")
GITHUB_APP_PRIVATE_KEY = env_str("GITHUB_APP_PRIVATE_KEY")
GITHUB_APP_PRIVATE_KEY_PATH = env_str("GITHUB_APP_PRIVATE_KEY_PATH")
GITHUB_WEBHOOK_SECRETS = env_list("GITHUB_WEBHOOK_SECRET")
GITHUB_CLIENT_ID = env_str("GITHUB_CLIENT_ID")
GITHUB_CLIENT_SECRET = env_str("GITHUB_CLIENT_SECRET")
SCAN_AGENT_URL = env_str("SCAN_AGENT_URL")

# --- Token encryption ------------------------------------------------------------------------
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEY")
if not TOKEN_ENCRYPTION_KEYS:
    _key, _created = local_encryption_key(VAR_DIR)
    TOKEN_ENCRYPTION_KEYS = [_key]
    if _created:
        # Settings run before logging is configured, so this goes straight to stderr.
        print(
            f"TOKEN_ENCRYPTION_KEY is not set: created a local key in {VAR_DIR}/ "
            "for development.",
            file=sys.stderr,
        )

# --- Security --------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# GitHub and load balancers reach the health and webhook endpoints over plain HTTP internally.
SECURE_REDIRECT_EXEMPT = [r"^health", r"^metrics"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# A webhook body may be up to 25 MB; the receiver reads it as raw bytes itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = 26 * 1024 * 1024

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in logging.getLevelNamesMapping():
    raise ImproperlyConfigured(f"LOG_LEVEL must be a logging level name, not {LOG_LEVEL!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
    },
}
