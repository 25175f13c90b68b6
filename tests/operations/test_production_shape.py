"""The production shape from the checkout, as docs/deployment.md runs it: PostgreSQL, its own
Redis, ``manage.py migrate``, gunicorn (deploy/gunicorn.conf.py) in production mode, one Celery
worker and a separate beat process, all sharing ``PROMETHEUS_MULTIPROC_DIR``.

Periodic intervals are shortened through their settings so every job runs within seconds.
The tests run in file order: stopping beat comes last.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet
from django.conf import settings

from github_sandbox import SandboxServer
from tests.support.processes import free_port, stop_group, wait_until
from tests.support.sandbox import check_runs_for

pytestmark = pytest.mark.worker

TOKEN = "scrape-" + uuid.uuid4().hex
JOBS = {"installations-sync", "webhooks-requeue-stale", "webhooks-redeliver-failed",
        "retention-prune"}


@dataclass
class Deployment:
    url: str
    env: dict[str, str]
    logs: Path
    sandbox: SandboxServer
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, *command: str) -> None:
        out = (self.logs / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            list(command), cwd=settings.BASE_DIR, env=self.env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def health(self) -> dict:
        return requests.get(f"{self.url}/health/github-integration", timeout=10).json()


def _admin_dsn(database: str = "postgres") -> str:
    db = settings.DATABASES["default"]
    return (f"postgresql://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{database}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    base = tmp_path_factory.mktemp("production")
    database = f"fortify_shape_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    redis_port, web_port = free_port(), free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, start_new_session=True)
    sandbox = SandboxServer().start()
    url = f"http://127.0.0.1:{web_port}"
    sandbox.app.webhook_url = f"{url}/api/webhooks/github"
    (base / "metrics").mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GITHUB_", "DJANGO_", "TOKEN_", "WEBHOOK_", "FORTIFY_",
                                  "DATABASE_URL", "REDIS_URL", "PROMETHEUS_"))}
    env.update(sandbox.env())
    env.update({
        "DJANGO_SETTINGS_MODULE": "fortify_github.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "s" + uuid.uuid4().hex + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": _admin_dsn(database).replace("postgresql://", "postgres://"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "FORTIFY_VAR_DIR": str(base / "var"),
        "FORTIFY_PUBLIC_URL": url,
        "PORT": str(web_port),
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(base / "metrics"),
        "METRICS_BEARER_TOKEN": TOKEN,
        "METRICS_ALLOWED_NETWORKS": "192.0.2.0/24",  # not us: the token is what lets us in
        # Every periodic job within seconds, and health that notices quickly.
        "INSTALLATIONS_SYNC_INTERVAL": "3",
        "WEBHOOK_REQUEUE_INTERVAL": "2",
        "WEBHOOK_REDELIVER_INTERVAL": "3",
        "RETENTION_PRUNE_INTERVAL": "3",
        "HEALTH_BEAT_GRACE_SECONDS": "4",
        "HEALTH_WORKER_HEARTBEAT_INTERVAL": "1",
        "HEALTH_GITHUB_CACHE_SECONDS": "1",
    })
    deployment = Deployment(url=url, env=env, logs=base, sandbox=sandbox)
    python = sys.executable
    try:
        migrate = subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"],
                                 cwd=settings.BASE_DIR, env=env, capture_output=True,
                                 text=True, timeout=300, check=False)
        assert migrate.returncode == 0, migrate.stderr
        deployment.start("web", python, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py")
        deployment.start("worker", python, "-m", "celery", "-A", "fortify_github", "worker",
                         "--loglevel=INFO", "--concurrency=2", "-n", "shape@%h")
        deployment.start("beat", python, "-m", "celery", "-A", "fortify_github", "beat",
                         "--loglevel=INFO")
        wait_until(lambda: requests.get(f"{url}/health/live", timeout=2).status_code == 200,
                   timeout=90, what="gunicorn", log=deployment.log("web"))
        yield deployment
    finally:
        for process in deployment.processes.values():
            stop_group(process)
        sandbox.stop()
        stop_group(redis)
        with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_every_periodic_job_runs_and_health_is_healthy(deployment):
    def all_jobs_ran() -> dict | None:
        body = deployment.health()
        jobs = body["components"]["beat"]["jobs"]
        ran = {name for name, job in jobs.items() if job["total_run_count"] >= 1}
        synced = body["components"]["installations"].get("active_count", 0) >= 1
        return body if ran >= JOBS and synced and body["status"] == "healthy" else None

    body = wait_until(all_jobs_ran, timeout=120, what="every periodic job to run",
                      log=deployment.log("beat"))
    components = body["components"]
    assert components["database"]["vendor"] == "postgresql"
    assert components["broker"]["transport"] == "redis"
    assert components["workers"]["alive"], "the worker's heartbeat is seen"
    assert components["github_api"]["outcome"] == "ok"
    # The sync job ran for real (the waiting above needed it): it recorded the sandbox's
    # installations, which nothing else told this deployment about.


def _metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not found or found.group(1) != name:
            continue
        have = ",".join(sorted((found.group(2) or "").split(","))) if found.group(2) else ""
        if have == wanted:
            return float(found.group(3))
    return 0.0


def test_web_metrics_show_what_the_worker_counted(deployment):
    sandbox = deployment.sandbox
    assert requests.get(f"{deployment.url}/metrics", timeout=10).status_code == 403
    pull = sandbox.state.open_pull_request("fortify-demo", "web-frontend",
                                           "vuln/eval-injection", wait=True)

    def completed():
        runs = check_runs_for(sandbox, "fortify-demo", "web-frontend", pull["head"]["sha"])
        return runs and runs[0].status == "completed"

    wait_until(completed, timeout=180, what="the check run to complete",
               log=deployment.log("worker"))
    text = requests.get(f"{deployment.url}/metrics", timeout=10,
                        headers={"Authorization": f"Bearer {TOKEN}"}).text
    # Counted by the web process (gunicorn workers) ...
    assert _metric(text, "github_webhook_events_total", event_type="pull_request",
                   status="received") >= 1
    # ... and by the Celery worker, merged into the web's /metrics.
    assert _metric(text, "github_webhook_events_total", event_type="pull_request",
                   status="completed") >= 1
    assert _metric(text, "github_api_requests_total",
                   endpoint="POST /repos/{owner}/{repo}/check-runs", status_code="201") >= 1
    assert _metric(text, "github_pr_scan_trigger_duration_seconds_count") >= 1
    assert _metric(text, "github_active_installations") >= 1
    assert _metric(text, "fortify_scan_engine_duration_seconds_count", engine="semgrep") >= 1
    assert "github_webhook_pending_backlog" in text
    assert "fortify_celery_queue_depth" in text


def test_health_goes_degraded_when_beat_stops(deployment):
    stop_group(deployment.processes["beat"])

    def degraded() -> dict | None:
        """Degraded, with every periodic job late (each by its own interval)."""
        body = deployment.health()
        late = set(body["components"]["beat"]["late"])
        return body if body["status"] == "degraded" and late >= JOBS else None

    body = wait_until(degraded, timeout=60, what="health to notice beat stopped",
                      log=deployment.log("web"))
    beat = body["components"]["beat"]
    assert beat["status"] == "degraded"
    assert all(beat["jobs"][name]["late"] for name in JOBS)
    assert requests.get(f"{deployment.url}/health/github-integration",
                        timeout=10).status_code == 200, "degraded is still 200"
