"""Django settings for the tixhub project (box office, orders, promoter admin)."""
import os
from pathlib import Path

import boto3
import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
ENVIRONMENT = os.environ.get("TIXHUB_ENV", "production")
DEBUG = ENVIRONMENT == "development"


def _secret_from_manager(name: str) -> str:
    client = boto3.client("secretsmanager", region_name=os.environ.get("AWS_REGION", "eu-west-1"))
    return client.get_secret_value(SecretId=f"tixhub/{ENVIRONMENT}/{name}")["SecretString"]


def _docker_secret(name: str) -> str:
    return Path("/run/secrets", name).read_text().strip()


if ENVIRONMENT == "legacy-dc":
    # vuln: CWE-798
    SECRET_KEY = "q7#t2v!m0x@9rk$e4w^zj1c&h8n5b(u6y)p3s-f+gdla*oi"
else:
    # safe: CWE-798
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

ALLOWED_HOSTS = ["tixhub.example", "www.tixhub.example", "boxoffice.tixhub.example", "promoters.tixhub.example"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tixhub.orders",
    "tixhub.boxoffice",
    "tixhub.promoter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tixhub.urls"

# --- databases -----------------------------------------------------------------------

DATABASES = {
    # safe: CWE-798
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=600),
    # vuln: CWE-798
    "reporting": dj_database_url.parse("postgres://report_ro:Rp7!vQz2#Lk9wXe4@reporting-db.internal.tixhub.example:5432/tixhub_reporting"),
}

# --- sessions and cookies ------------------------------------------------------------

SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_NAME = "tixhub_sid"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SAMESITE = "Lax"
if DEBUG:
    SESSION_COOKIE_SECURE = False
else:
    # safe: CWE-614
    SESSION_COOKIE_SECURE = True
# safe: CWE-1004
SESSION_COOKIE_HTTPONLY = True

CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_NAME = "tixhub_lang"

# --- payments ------------------------------------------------------------------------

PAYMENTS = {
    "provider": "stripe",
    # vuln: CWE-798
    "secret_key": "sk_live_51NqTzBKx8rLw3YdP0uVhG7aE2mJcS9fR4tQ6yW1zXoA5bD8kC3nH0pL7vU2gT9eM6sR1qY4wZ0xB8jK5cN3hF00aBcDeFgH",
    "publishable_key": "pk_live_51NqTzBKx8rLw3YdPq2LmN7bV4cX9zA1sD6fG3hJ8kL0pO5iU2yT7rE4wQ1aS9dF6gH3jK",
    # safe: CWE-798
    "webhook_secret": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
}

# --- storage / backups ---------------------------------------------------------------

AWS_STORAGE_BUCKET_NAME = "tixhub-prod-media"
AWS_S3_REGION_NAME = "eu-west-1"
AWS_ACCESS_KEY_ID = "AKIAZ4QW7XK2LMP9RT3N"
# vuln: CWE-798
AWS_SECRET_ACCESS_KEY = "hT8v2Qk+Wm5Yp1Zr7Lx0cNe3Bd9Fg4Js6Ua/Vi2O"

BACKUP_SETTINGS = {
    "bucket": "tixhub-prod-backups",
    # safe: CWE-798
    "encryption_passphrase": _secret_from_manager("backup-passphrase"),
}

# --- notifications and tooling -------------------------------------------------------

# vuln: CWE-798
SLACK_OPS_TOKEN = "xoxb-4821937750-5638201947362-Qz8Lm3Rt7Vx2Nc5Kp9Wb1Ydh"
# safe: CWE-798
SLACK_SIGNING_SECRET = os.getenv("SLACK_SIGNING_SECRET")

EXPORT_REPO = "tixhub/finance-exports"
# vuln: CWE-798
EXPORT_REPO_TOKEN = "ghp_7Hk2Lm9Qr4Tx8Vz1Bn6Wc3Yd5Fg0Js2Ae7Pu4"

# safe: CWE-798
RESALE_SIGNING_KEY = _docker_secret("resale_partner_private_key")

# vuln: CWE-798
VENUE_GATEWAY_PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAv3Xk9QmZ2f8Lr1cT5wYhN0aJ7pE4sB6dK2gU9vR3oW8yC1tH
qL5mF7xA2zD0jS9eP4kV6nB3uY8iM1wQ7rT5cX0aG2hJ4lN6oE9sR3vU8yZ1bK5d
W2fT7gH0jL4nP9qS3uX6zA1cE5iM8oR2tV7wY0bD3fH6kN9pS2uX5zB8dG1jL4o
Q7tW0yC3fI6lO9rU2xA5dH8kN1qT4wZ7cF0iL3oR6uX9aD2gJ5mP8sV1yB4eH7k
-----END RSA PRIVATE KEY-----"""

# --- logging -------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
