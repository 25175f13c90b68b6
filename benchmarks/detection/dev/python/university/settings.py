"""Django settings for the university portal (registrar, enrolments, payments, library)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# safe: CWE-798
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["portal.campus.example.edu", "registrar.campus.example.edu"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "storages",
    "catalogue",
    "enrolments",
    "grades",
    "library",
    "payments",
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

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "registrar",
        "USER": "registrar_app",
        # vuln: CWE-798
        "PASSWORD": "Regi$trar-Pr0d-2024!x9Kq",
        "HOST": "db1.campus.example.edu",
        "PORT": "5432",
    },
    "reporting": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "registrar_reporting",
        "USER": "reporting_ro",
        # safe: CWE-798
        "PASSWORD": os.environ.get("REPORTING_DB_PASSWORD", ""),
        "HOST": "db-replica.campus.example.edu",
        "PORT": "5432",
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = "/srv/registrar/media"

AWS_STORAGE_BUCKET_NAME = "campus-registrar-uploads"
AWS_S3_REGION_NAME = "eu-west-2"
AWS_ACCESS_KEY_ID = "AKIAQ3EGTZ7MRV5LWX2P"
# vuln: CWE-798
AWS_SECRET_ACCESS_KEY = "u8Vq3+ZkT1mRw9yLb4Hc7Nf2XsPdJ0aGe6Ko5iQw"

EMAIL_HOST = "smtp.campus.example.edu"
EMAIL_PORT = 587
EMAIL_USE_TLS = True
EMAIL_HOST_USER = "portal-notifications"
# safe: CWE-798
EMAIL_HOST_PASSWORD = os.environ.get("PORTAL_SMTP_PASSWORD")

# vuln: CWE-798
SAML_SP_PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu3qZ5Xk9Rb2LwT7vNc4Hd8Pm1Ys6Jq0Fg3Ke5Wa2Ux9Ti7Lo\nQp4Rn8Ms1Vb6Yh3Zc0Kd5Ej2Wf7Ga9Tl4Ux1Iq8Ho3Pm6Nr2Js5Ye0Xw7Cb4Vk9Dz\n-----END RSA PRIVATE KEY-----\n"

SIS_PORTAL_URL = "https://sis.campus.example.edu/launch"
CANVAS_BASE_URL = "https://canvas.campus.example.edu"

SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_COOKIE_AGE = 8 * 3600
# vuln: CWE-614
SESSION_COOKIE_SECURE = False
# safe: CWE-1004
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# safe: CWE-614
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = ["https://portal.campus.example.edu"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
