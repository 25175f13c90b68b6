"""Django settings for Fortify's GitHub integration.

Every value comes from the environment, read here and nowhere else (see README's
configuration table). With no DATABASE_URL and no REDIS_URL the service runs on embedded
defaults: SQLite, a file-system Celery transport, and a database cache shared by all processes.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from fortify_github.environment import (
    env_bool,
    env_list,
    env_str,
    local_encryption_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FORTIFY_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# In DEBUG, show Django's technical 404 (every URL pattern) instead of the friendly page.
DEBUG_TECHNICAL_404 = env_bool("DJANGO_DEBUG_TECHNICAL_404", default=False)

# Production problems (missing or placeholder secrets) are reported by the system check
# ``fortify.E001`` (fortify_github/system_checks.py), not raised here: ``manage.py help`` and
# every command's ``--help`` keep working, while runserver, migrate, check, the WSGI
# application and Celery refuse to start.

# In development a throwaway key is fine; production must set one (system check E001).
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
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "fortify_github.apps.FortifyConfig",
    "accounts",
    "installations",
    "webhooks",
    "checks",
    "onboarding",
    "social_django",
    "dashboard",
    "api",
    # The GitHub sandbox, a development and test tool: installed only so that
    # ``manage.py sandbox`` exists (it refuses to run in production); the product never imports it.
    "github_sandbox",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The admin's static files, served by the web process itself (gunicorn serves no files).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fortify_github.middleware.FriendlyNotFoundMiddleware",
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
    # Django turns psycopg's prepared statements off (None) and its own client-side cursors
    # never prepare; a threshold lets the webhook receiver prepare its one INSERT explicitly
    # (webhooks.services._execute_prepared). A transaction-mode pooler in front of
    # PostgreSQL must support prepared statements (PgBouncer >= 1.21).
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
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
            "BACKEND": "fortify_github.redis_cache.ReusedClientRedisCache",
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
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
else:
    # The file-system transport needs no server, yet the worker is still its own process.
    # Ours writes each message aside and renames it into the queue (``filesystem_broker``).
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "fortify_github.filesystem_broker:Transport"
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
# Celery's Django fixup would close the database connections around every task (a new
# PostgreSQL backend per task); with this set it only does so every that many tasks, and
# fortify_github.celery applies Django's own lifecycle (CONN_MAX_AGE, health checks) instead.
CELERY_DB_REUSE_MAX = 1000
# A scan that hangs is stopped: soft limit lets the task clean up, hard limit kills it.
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Results are only read by health checks and tests; keep them a day, not forever.
CELERY_RESULT_EXPIRES = 24 * 3600
# Workers keep Django's LOGGING (with its secret-redacting filter) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The queue tasks are sent to and workers read: deployments (or test runs) sharing one broker
# stay apart by naming their own.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Workers started before the broker keep retrying instead of exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps its schedule and each job's last run in the database (django-celery-beat): it
# works wherever the database does (no local file to lose), and health can read the last runs.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Write each job's last run to the database as soon as it is sent (not every 3 minutes), so
# the health endpoint's ``beat`` component sees the truth.
CELERY_BEAT_SYNC_EVERY = 1
# Periodic jobs run by the beat process (`celery -A fortify_github beat`); each app adds its
# own entries. Every interval is configurable, so a test (or a small deployment) can shorten it.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Missed webhooks leave installations and repositories out of date: reconcile daily.
    "installations-sync": {
        "task": "installations.sync_installations",
        "schedule": float(env_str("INSTALLATIONS_SYNC_INTERVAL", str(24 * 3600))),
    },
    # Old events and scans are deleted per the retention settings below.
    "retention-prune": {
        "task": "fortify.prune_old_records",
        "schedule": float(env_str("RETENTION_PRUNE_INTERVAL", str(24 * 3600))),
    },
}
# Retention: completed/ignored webhook events and finished scans older than this many days are
# pruned daily (failed events are kept for the operator; 0 keeps everything).
RETENTION_EVENTS_DAYS = int(env_str("RETENTION_EVENTS_DAYS", "90"))
RETENTION_SCANS_DAYS = int(env_str("RETENTION_SCANS_DAYS", "180"))

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
# The remote scan agent (docs/scan-agent.md); unset = the built-in engines in the worker.
SCAN_AGENT_URL = env_str("SCAN_AGENT_URL").rstrip("/")
# Bearer secret the agent service checks (its own SCAN_AGENT_SECRET).
SCAN_AGENT_SECRET = env_str("SCAN_AGENT_SECRET")
# Seconds between polls of a running remote scan, and per HTTP call to the agent.
SCAN_AGENT_POLL_INTERVAL = float(env_str("SCAN_AGENT_POLL_INTERVAL", "2"))
SCAN_AGENT_HTTP_TIMEOUT = float(env_str("SCAN_AGENT_HTTP_TIMEOUT", "10"))

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
# How a stored delivery reaches a worker: "auto" announces it with pg_notify on PostgreSQL (a
# worker's dispatcher publishes it; the receiver never touches the broker) and publishes from
# the receiver elsewhere; "publish" always publishes from the receiver.
WEBHOOK_DISPATCH = env_str("WEBHOOK_DISPATCH", "auto").strip().lower()
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
# Engine jobs one scan runs at once (checks.engine_jobs; Semgrep single-threaded); 0: one per CPU.
SCAN_ENGINE_JOBS = int(env_str("SCAN_ENGINE_JOBS", "0"))
# Semgrep rules: the ruleset kept in this repository unless an operator points elsewhere.
SCAN_SEMGREP_RULES_DIR = env_str("SCAN_SEMGREP_RULES_DIR",
                                 str(BASE_DIR / "checks" / "semgrep_rules"))
# Python that runs Bandit (python -m bandit); empty: the newest python3.N on PATH that has
# Bandit installed, else the bandit of this virtualenv. Bandit parses with that Python's ast.
SCAN_BANDIT_PYTHON = env_str("SCAN_BANDIT_PYTHON", "")
# How often a scan task retries after transient GitHub or engine-timeout errors.
SCAN_MAX_RETRIES = int(env_str("SCAN_MAX_RETRIES", "3"))
# A PR scan downloads the head commit's archive (one request) instead of one blob per file
# once it needs at least this many files.
SCAN_TARBALL_MIN_FILES = int(env_str("SCAN_TARBALL_MIN_FILES", "20"))
# ...but only while the repository (GitHub's size, KB) is at most this many KB per file the
# scan needs: a monorepo's archive costs far more than one blob request per changed file.
SCAN_TARBALL_MAX_KB_PER_FILE = int(env_str("SCAN_TARBALL_MAX_KB_PER_FILE", "256"))
# ...and while its last archive held at most this many files per file the scan needs: every
# member of an archive is built, sent and read to keep a few, and a repository of many small
# files (which GitHub's size undercounts) costs more that way than a blob request per file.
SCAN_TARBALL_MAX_FILES_PER_FILE = int(env_str("SCAN_TARBALL_MAX_FILES_PER_FILE", "200"))
# The share of an installation's content-creating requests one pull request may take.
SCAN_PR_WRITE_SHARE = float(env_str("SCAN_PR_WRITE_SHARE", "0.25"))
# The scan outbox (checks.sweep_scans): a queued scan overdue by this many seconds lost its
# broker message and is queued again.
SCAN_REQUEUE_AFTER = float(env_str("SCAN_REQUEUE_AFTER", "120"))
# A running scan's claim; longer than the task hard time limit, so only a dead worker's scan
# is taken over by another worker.
SCAN_LEASE_SECONDS = float(env_str("SCAN_LEASE_SECONDS", "600"))
# A check run still in progress this long after its scan was queued is completed `timed_out`.
SCAN_DEADLINE_SECONDS = float(env_str("SCAN_DEADLINE_SECONDS", "3600"))
# GitHub marks a check run left incomplete for 14 days `stale`: completing one keeps being
# retried (with backoff) until then, however long GitHub is down.
CHECK_RUN_LIFETIME_SECONDS = float(env_str("CHECK_RUN_LIFETIME_SECONDS", str(14 * 24 * 3600)))
# Scratch space of scans (workspaces, engine homes, tool temp files), one folder per worker
# process, so the next worker start removes what a killed one left behind.
SCAN_TEMP_DIR = env_str("SCAN_TEMP_DIR",
                        str(Path(tempfile.gettempdir()) / "fortify-scans"))
CELERY_BEAT_SCHEDULE.update({
    # The scan outbox and sweeper: re-queue lost or orphaned scans, time out the hopeless,
    # complete runs whose completion was lost. Nothing stays in progress.
    "checks-sweep-scans": {
        "task": "checks.sweep_scans",
        "schedule": float(env_str("SCAN_SWEEP_INTERVAL", "60")),
    },
})
# Where people reach this service; check runs link to scan pages under it.
FORTIFY_PUBLIC_URL = env_str("FORTIFY_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Sign-in with GitHub (social-auth), invitations, email -----------------------------------
AUTHENTICATION_BACKENDS = [
    "accounts.backends.GitHubAppAuth",
    "django.contrib.auth.backends.ModelBackend",  # the admin's password sign-in
]
LOGIN_URL = "/auth/sign-in/"
LOGIN_REDIRECT_URL = "/onboarding/"
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/onboarding/"
SOCIAL_AUTH_INACTIVE_USER_URL = "/auth/sign-in/"
SOCIAL_AUTH_REDIRECT_IS_HTTPS = not DEBUG
# Our own steps replace social-auth's user creation and its extra_data (tokens in plain JSON).
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.link_user",
    "social_core.pipeline.social_auth.associate_user",
    "accounts.pipeline.store_identity",
    "onboarding.pipeline.recheck_installations",
)
# Invitation links for pending accounts, and install-request states, expire after this.
INVITATION_MAX_AGE = int(env_str("INVITATION_MAX_AGE", str(7 * 24 * 3600)))
INSTALL_REQUEST_MAX_AGE = int(env_str("INSTALL_REQUEST_MAX_AGE", "3600"))
# Email: the console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(env_str("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fortify <fortify@localhost>")

# --- Token encryption ------------------------------------------------------------------------
TOKEN_ENCRYPTION_KEYS = env_list("TOKEN_ENCRYPTION_KEY")
if not TOKEN_ENCRYPTION_KEYS and DEBUG:
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
# DATA_UPLOAD_MAX_MEMORY_SIZE stays Django's default (2.5 MB) for every view: only the webhook
# receiver takes bodies up to 25 MB, and it reads them itself with its own bound.

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

# --- Dashboard and REST API ------------------------------------------------------------------
# How often a signed-in person's installations are re-checked against GitHub
# (GET /user/installations with their token); memberships GitHub no longer confirms end then.
FORTIFY_MEMBERSHIP_RECHECK_SECONDS = float(env_str("FORTIFY_MEMBERSHIP_RECHECK_SECONDS", "300"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend",
                                "rest_framework.filters.OrderingFilter"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle",
                                 "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER", "1000/hour"),
        "anon": env_str("API_THROTTLE_ANON", "60/hour"),
        "scan_trigger": env_str("API_THROTTLE_SCAN_TRIGGER", "30/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fortify for GitHub API",
    "DESCRIPTION": "Installations, repositories, scans and findings of the installations you "
                   "are a member of. Authenticate with a personal API token "
                   "(`Authorization: Bearer <token>`, created on your account page) or a "
                   "signed-in session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "SeverityEnum": "fortify_github.scanning.Severity",
        "ScanModeEnum": "fortify_github.scanning.ScanMode",
        "ScanStatusEnum": "checks.models.ScanJob.Status",
        "InstallationStatusEnum": "installations.models.Installation.Status",
    },
}

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Static files are read from the apps' folders (no collectstatic step to forget), so an
# absent STATIC_ROOT is expected, not worth whitenoise's warning.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at: ")

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in logging.getLevelNamesMapping():
    raise ImproperlyConfigured(f"LOG_LEVEL must be a logging level name, not {LOG_LEVEL!r}.")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # log_context: "[delivery=... installation=... repository=... scan=...] " while a
        # task works for one (fortify_github.logcontext), else empty.
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(log_context)s%(message)s"},
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
    "log_context": {"()": "fortify_github.logcontext.LogContextFilter"},
    "redact_secrets": {"()": "fortify_github.github.redaction.RedactSecretsFilter"},
}
LOGGING["handlers"]["console"]["filters"] = ["log_context", "redact_secrets"]
# Also on the client's own logger, so its records are masked whichever handler receives them
# (Celery replaces the root handlers in workers unless told otherwise).
LOGGING["loggers"]["fortify_github.github"] = {"filters": ["redact_secrets"]}

# --- Health and metrics (fortify_github/health.py, fortify_github/metrics_view.py) -----------
# GitHub is probed at most once per this many seconds, whoever asks for health.
HEALTH_GITHUB_CACHE_SECONDS = float(env_str("HEALTH_GITHUB_CACHE_SECONDS", "15"))
# Seconds between two heartbeats of a worker; a worker silent for 3 intervals is gone.
HEALTH_WORKER_HEARTBEAT_INTERVAL = float(env_str("HEALTH_WORKER_HEARTBEAT_INTERVAL", "10"))
# A periodic job that has not run within its interval plus this grace makes health degraded.
HEALTH_BEAT_GRACE_SECONDS = float(env_str("HEALTH_BEAT_GRACE_SECONDS", "60"))
# Failed webhook events in the last 5 minutes: any makes health degraded, this many unhealthy.
HEALTH_FAILED_EVENTS_UNHEALTHY = int(env_str("HEALTH_FAILED_EVENTS_UNHEALTHY", "20"))
# A pending event older than this many seconds means processing is stuck (degraded).
HEALTH_PENDING_DEGRADED_AFTER = float(env_str("HEALTH_PENDING_DEGRADED_AFTER", "300"))
# Who may read /metrics and the worker round trip: a bearer token, and/or client networks.
METRICS_BEARER_TOKEN = env_str("METRICS_BEARER_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
# Prometheus multiprocess mode: every process (gunicorn workers, Celery workers) writes its
# samples here and /metrics merges them. Must be set in the environment of every process.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR")
