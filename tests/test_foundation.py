"""The foundation: real PostgreSQL, real Redis, a real worker, and safe production start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from fortify_github.tasks import ping

pytestmark = pytest.mark.django_db


def test_suite_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_cache_is_shared_redis():
    key = f"foundation-{uuid.uuid4().hex}"
    cache.set(key, "shared", timeout=30)
    raw = redis.Redis.from_url(settings.REDIS_URL)
    stored = [name for name in raw.scan_iter(match=f"*{key}")]
    assert stored, "the value set through Django's cache is in Redis itself"
    assert cache.get(key) == "shared"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_round_trips_through_redis_to_a_real_worker(celery_worker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    token = uuid.uuid4().hex
    reply = ping.delay(token).get(timeout=30)
    assert reply["token"] == token
    assert reply["pid"] != os.getpid(), "the task ran in the worker process, not eagerly here"
    assert reply["pid"] in {child_pid for child_pid in _children(celery_worker.process.pid)}


def _children(pid: int) -> set[int]:
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                            text=True, check=False)
    return {int(line) for line in result.stdout.split()} | {pid}


def test_landing_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Fortify" in response.content
    assert b"pull request" in response.content


def test_health_reports_components(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["components"]["database"]["vendor"] == "postgresql"
    assert body["components"]["cache"]["status"] == "healthy"
    assert body["components"]["broker"]["transport"] == "redis"


def test_metrics_are_exposed(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


# --- production start-up -------------------------------------------------------------------

def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _production_env(**overrides: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    from tests.support.keys import rsa_private_key_pem

    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DJANGO_", "TOKEN_"))}
    env.update({
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "k" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "fortify.example.test",
        "GITHUB_APP_ID": "12345",
        "GITHUB_APP_PRIVATE_KEY": rsa_private_key_pem(),
        "GITHUB_WEBHOOK_SECRET": uuid.uuid4().hex,
        "GITHUB_CLIENT_ID": "Iv1.abcdef0123456789",
        "GITHUB_CLIENT_SECRET": uuid.uuid4().hex,
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    })
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_production_with_everything_set_passes_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GITHUB_WEBHOOK_SECRET", "", "GITHUB_WEBHOOK_SECRET is not set"),
        ("DJANGO_SECRET_KEY", "", "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_SECRET_KEY", "django-insecure-changeme-" + "x" * 40, "DJANGO_SECRET_KEY still "
         "holds a placeholder"),
        ("TOKEN_ENCRYPTION_KEY", "not-a-fernet-key", "TOKEN_ENCRYPTION_KEY key #1 is not a valid"),
        ("GITHUB_APP_PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\\nnope\\n-----END RSA "
         "PRIVATE KEY-----", "GITHUB_APP_PRIVATE_KEY does not hold a readable PEM"),
        ("GITHUB_CLIENT_SECRET", "your_oauth_app_client_secret", "GITHUB_CLIENT_SECRET still "
         "holds a placeholder"),
    ],
)
def test_production_refuses_to_start_with_a_missing_or_placeholder_secret(variable, value,
                                                                           message):
    env = _production_env(**{variable: value})
    if not value:
        env.pop(variable)
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "refuses to start in production mode" in result.stderr
    assert message in result.stderr
    if value:
        assert value not in result.stderr, "the bad value itself is never echoed"


def test_embedded_default_creates_a_local_key_and_says_so(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TOKEN_", "DATABASE_URL", "REDIS_URL", "FORTIFY_", "DJANGO_"))}
    env.update({"DJANGO_DEBUG": "true", "FORTIFY_VAR_DIR": str(tmp_path)})
    first = _manage("check", env=env)
    assert first.returncode == 0, first.stderr
    assert f"created a local key in {tmp_path}/" in first.stderr
    key = (tmp_path / "token-encryption.key").read_text().strip()
    assert oct((tmp_path / "token-encryption.key").stat().st_mode & 0o777) == "0o600"

    second = _manage("check", env=env)
    assert "created a local key" not in second.stderr, "said once, then reused"
    assert (tmp_path / "token-encryption.key").read_text().strip() == key
