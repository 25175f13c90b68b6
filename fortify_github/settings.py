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
    "django_celery_beat",
    "fortify_github",
    "accounts",
    "installations",
    "webhooks",
    "checks",
    # The GitHub sandbox, a development and test tool: installed only so that
    # ``manage.py sandbox`` exists (it refuses to run in production); the product never imports it.
    "github_sandbox",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that drops packets must fail fast: the webhook receiver then answers 503
    # within GitHub's 10 s, and GitHub records a delivery we can ask for again.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
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
        # The file-system transport polls for messages; the default second would be most of
        # a PR's time to first feedback.
        "polling_interval": 0.1,
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
# Workers keep Django's LOGGING (with its secret-redacting filter) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Workers started before the broker keep retrying instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule and each job's last run in the database (django-celery-beat): it
# works wherever the database does (no local file to lose), and health can read the last runs.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs run by `celery -A fortify_github worker -B`; each app adds its own entries.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Missed webhooks leave installations and repositories out of date: reconcile daily.
    "installations-sync": {"task": "installations.sync_installations", "schedule": 24 * 3600},
}

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

# --- Webhooks --------------------------------------------------------------------------------
# GitHub caps a delivery at 25 MB; anything larger is answered 413 without being stored.
WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024
# A pending event overdue by this many seconds lost its broker message: re-enqueue it.
WEBHOOK_PENDING_REQUEUE_AFTER = float(env_str("WEBHOOK_PENDING_REQUEUE_AFTER", "60"))
# A claim older than this (longer than the task hard limit) belongs to a dead worker.
WEBHOOK_PROCESSING_LEASE = float(env_str("WEBHOOK_PROCESSING_LEASE", "600"))
# Transient handler errors: at most this many attempts, exponential backoff between them.
WEBHOOK_MAX_ATTEMPTS = int(env_str("WEBHOOK_MAX_ATTEMPTS", "6"))
WEBHOOK_RETRY_BACKOFF_BASE = float(env_str("WEBHOOK_RETRY_BACKOFF_BASE", "5"))
WEBHOOK_RETRY_BACKOFF_MAX = float(env_str("WEBHOOK_RETRY_BACKOFF_MAX", "600"))
# The periodic redelivery looks this far back (GitHub keeps deliveries 3 days) and resends
# one GUID at most this many times.
WEBHOOK_REDELIVER_WINDOW = float(env_str("WEBHOOK_REDELIVER_WINDOW", str(6 * 3600)))
WEBHOOK_REDELIVER_MAX_ATTEMPTS = int(env_str("WEBHOOK_REDELIVER_MAX_ATTEMPTS", "5"))
# Extra modules registering webhook handlers, imported at start-up (tests' worker handlers).
WEBHOOK_EXTRA_HANDLER_MODULES = env_list("WEBHOOK_EXTRA_HANDLER_MODULES")
CELERY_BEAT_SCHEDULE.update({
    # The outbox: events whose broker message was lost are found in the database again.
    "webhooks-requeue-stale": {
        "task": "webhooks.requeue_stale_pending",
        "schedule": float(env_str("WEBHOOK_REQUEUE_INTERVAL", "60")),
    },
    # GitHub never retries a failed delivery: ask for the ones that never reached us.
    "webhooks-redeliver-failed": {
        "task": "webhooks.redeliver_failed_deliveries",
        "schedule": float(env_str("WEBHOOK_REDELIVER_INTERVAL", "900")),
    },
})
# A scan's whole budget (fetch + engines), below the Celery soft time limit.
SCAN_TIMEOUT_SECONDS = float(env_str("SCAN_TIMEOUT_SECONDS", "240"))
# Semgrep rules: the ruleset kept in this repository unless an operator points elsewhere.
SCAN_SEMGREP_RULES_DIR = env_str("SCAN_SEMGREP_RULES_DIR",
                                 str(BASE_DIR / "checks" / "semgrep_rules"))
# Python that runs Bandit (python -m bandit); empty: the newest python3.N on PATH that has
# Bandit installed, else the bandit of this virtualenv. Bandit parses with that Python's ast.
SCAN_BANDIT_PYTHON = env_str("SCAN_BANDIT_PYTHON", "")
# How often a scan task retries after transient GitHub or engine-timeout errors.
SCAN_MAX_RETRIES = int(env_str("SCAN_MAX_RETRIES", "3"))
# Where people reach this service; check runs link to scan pages under it.
FORTIFY_PUBLIC_URL = env_str("FORTIFY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

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
# Load balancers and Prometheus reach health and metrics over plain HTTP internally. Webhooks
# are not exempt: configure GitHub with an https:// webhook URL.
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

# --- GitHub client (fortify_github/github/) ---------------------------------------------------
# Read at call time by fortify_github.github.conf; each has a default there too.
GITHUB_API_VERSION = env_str("GITHUB_API_VERSION", "2022-11-28")
GITHUB_USER_AGENT = env_str("GITHUB_USER_AGENT", "Fortify-GitHub-App")
# "app_id" (default) or "client_id": which one the App JWT names as its issuer.
GITHUB_APP_JWT_ISSUER = env_str("GITHUB_APP_JWT_ISSUER", "app_id")
# Seconds to open a connection / to wait for a response (per read, not the whole body).
GITHUB_HTTP_CONNECT_TIMEOUT = float(env_str("GITHUB_HTTP_CONNECT_TIMEOUT", "5"))
GITHUB_HTTP_READ_TIMEOUT = float(env_str("GITHUB_HTTP_READ_TIMEOUT", "30"))
# 5xx, connection errors and timeouts: attempts in all, and the most one call sleeps between them.
GITHUB_RETRY_MAX_ATTEMPTS = int(env_str("GITHUB_RETRY_MAX_ATTEMPTS", "4"))
GITHUB_RETRY_BACKOFF_BASE = float(env_str("GITHUB_RETRY_BACKOFF_BASE", "0.5"))
GITHUB_RETRY_BACKOFF_MAX = float(env_str("GITHUB_RETRY_BACKOFF_MAX", "8"))
GITHUB_RETRY_MAX_TOTAL_WAIT = float(env_str("GITHUB_RETRY_MAX_TOTAL_WAIT", "30"))
# Rate limits ending within this many seconds are waited out; longer ones raise RateLimited
# with retry_after so the task re-queues instead of holding a worker.
GITHUB_RATE_LIMIT_MAX_WAIT = float(env_str("GITHUB_RATE_LIMIT_MAX_WAIT", "10"))
# Below this fraction of the hourly budget, calls spread out until the reset.
GITHUB_RATE_LIMIT_LOW_WATER = float(env_str("GITHUB_RATE_LIMIT_LOW_WATER", "0.05"))
# GitHub's secondary limits on content-creating requests, per installation.
GITHUB_CONTENT_REQUESTS_PER_MINUTE = int(env_str("GITHUB_CONTENT_REQUESTS_PER_MINUTE", "80"))
GITHUB_CONTENT_REQUESTS_PER_HOUR = int(env_str("GITHUB_CONTENT_REQUESTS_PER_HOUR", "500"))
# Circuit breaker: consecutive failures reaching GitHub before failing fast, and for how long.
GITHUB_CIRCUIT_FAIL_MAX = int(env_str("GITHUB_CIRCUIT_FAIL_MAX", "5"))
GITHUB_CIRCUIT_RESET_SECONDS = float(env_str("GITHUB_CIRCUIT_RESET_SECONDS", "60"))
# Pages followed at most for one list (100 items each).
GITHUB_MAX_PAGES = int(env_str("GITHUB_MAX_PAGES", "100"))
# Installation tokens are replaced this many seconds before they expire.
GITHUB_TOKEN_REFRESH_MARGIN = float(env_str("GITHUB_TOKEN_REFRESH_MARGIN", "300"))
# Last line of defence: tokens, JWTs and private keys are masked in every log record.
LOGGING["filters"] = {
    "redact_secrets": {"()": "fortify_github.github.redaction.RedactSecretsFilter"},
}
LOGGING["handlers"]["console"]["filters"] = ["redact_secrets"]
# Also on the client's own logger, so its records are masked whichever handler receives them
# (Celery replaces the root handlers in workers unless told otherwise).
LOGGING["loggers"]["fortify_github.github"] = {"filters": ["redact_secrets"]}
