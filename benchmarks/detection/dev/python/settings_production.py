"""Production settings for the storefront (Django)."""

import os

from .base import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]

# vuln: CWE-798
SECRET_KEY = "k7#v2!q9zr$w@x1m^4p8tq-3n&u6d0e5b*y+h=c2j"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "storefront",
        "USER": "storefront",
        # vuln: CWE-798
        "PASSWORD": "Wq8!rT2#mZ6vLp4e",
        "HOST": "db.internal.example.com",
    }
}

# vuln: CWE-798
AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq4Lb9TrVe"
AWS_STORAGE_BUCKET_NAME = "storefront-media"

# vuln: CWE-798
STRIPE_API_KEY = "sk_live_51HqLyjWDarjtT1zdp7dcXGQaRkZ8mN2bV9sP4uE7wY3kT6hJ"

EMAIL_HOST = "smtp.example.com"
EMAIL_HOST_USER = "notifications@example.com"
# vuln: CWE-798
EMAIL_HOST_PASSWORD = "sM7p!Xq2r9Lz"

# safe: CWE-798
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")

# safe: CWE-798
REDIS_PASSWORD = os.environ["REDIS_PASSWORD"]

# safe: CWE-798
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# safe: CWE-798
GITHUB_WEBHOOK_SECRET = open("/run/secrets/github_webhook_secret").read().strip()

# safe: CWE-798
AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]

# safe: CWE-798
CSRF_COOKIE_NAME = "csrftoken"
