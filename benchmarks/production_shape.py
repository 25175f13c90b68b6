"""Start the production shape on this machine for a benchmark: the GitHub sandbox, gunicorn,
Celery workers (and beat on demand) against PostgreSQL and Redis, each its own process group.

Used by the benchmarks in this folder; everything listens on 127.0.0.1 and is stopped by pid.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fortify_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except (requests.RequestException, OSError):
            result = None
        if result:
            return result
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    db = dj_database_url.parse(url)
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432,
              "user": db["USER"] or "postgres", "password": db["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            [db["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def connect(database_url: str) -> Any:
    """A psycopg connection to the benchmark's database (psycopg spells the scheme
    ``postgresql://``; the deployment's ``DATABASE_URL`` may say ``postgres://``)."""
    import psycopg

    return psycopg.connect(database_url.replace("postgres://", "postgresql://", 1))


@dataclass
class ProductionShape:
    """The processes of one deployment; ``start()`` them, ``stop()`` them (by process group)."""

    web_workers: int = 2
    web_threads: int = 4
    celery_workers: int = 1
    worker_nice: int = 10
    with_sandbox: bool = True
    database_url: str = field(default_factory=lambda: os.environ.get(
        "DATABASE_URL", DEFAULT_DATABASE_URL))
    redis_url: str = field(default_factory=lambda: os.environ.get(
        "REDIS_URL", DEFAULT_REDIS_URL))
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fortify-bench-")))
    port: int = field(default_factory=free_port)
    webhook_secret: str = field(default_factory=lambda: secrets.token_hex(20))
    processes: list[subprocess.Popen] = field(default_factory=list)
    sandbox_url: str = ""
    _github_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """A production configuration (``DJANGO_DEBUG`` off, every secret set), in the
        environment only, as an operator would give it."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("GITHUB_", "DJANGO_", "TOKEN_", "FORTIFY_"))}
        env.update({
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "FORTIFY_VAR_DIR": str(self.workdir / "var"),
            "FORTIFY_PUBLIC_URL": self.url,
            "LOG_LEVEL": "WARNING",
        })
        env.update(self._github_env)
        env["GITHUB_WEBHOOK_SECRET"] = self.webhook_secret
        return env

    def start(self) -> ProductionShape:
        """Start everything; on any failure stop what already started (a sandbox left
        running would hold its port and a worker would keep draining the benchmark's
        database). A ``SIGTERM`` (``timeout``, an operator) unwinds like Ctrl-C, so the
        caller's ``finally: stop()`` runs too."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start_empty(self, env: dict[str, str]) -> None:
        """Nothing left by an earlier run in the benchmark's own database and Redis db: a run
        with no worker leaves its backlog pending, and a worker's dispatcher that starts on
        it publishes that first, so measurements would wait behind it; and what the product
        learnt of the sandbox's repositories (whose ids repeat from run to run), such as a
        repository's file count, would change how the first pull request is fetched."""
        import redis

        subprocess.run([str(VENV_BIN / "python"), "manage.py", "flush", "--noinput",  # noqa: S603
                        "-v", "0"], cwd=ROOT, env=env, check=True)
        redis.Redis.from_url(self.redis_url).flushdb()

    def _start(self) -> ProductionShape:
        ensure_database(self.database_url)
        (self.workdir / "var").mkdir(parents=True, exist_ok=True)
        if self.with_sandbox:
            self._start_sandbox()
        else:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric import rsa

            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
            self._github_env = {"GITHUB_APP_ID": "1", "GITHUB_APP_SLUG": "fortify-bench",
                                "GITHUB_APP_PRIVATE_KEY": pem,
                                "GITHUB_CLIENT_ID": "Iv1.bench",
                                "GITHUB_CLIENT_SECRET": secrets.token_hex(20)}
        env = self.env()
        python = str(VENV_BIN / "python")
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,  # noqa: S603
                       env=env, check=True)
        self._start_empty(env)
        # The deployment's own gunicorn configuration (deploy/gunicorn.conf.py), sized here.
        self._spawn("web", [str(VENV_BIN / "gunicorn"), "-c",
                            str(ROOT / "deploy" / "gunicorn.conf.py"), "--log-level", "warning"],
                    {**env, "HOST": "127.0.0.1", "PORT": str(self.port),
                     "WEB_CONCURRENCY": str(self.web_workers),
                     "WEB_THREADS": str(self.web_threads)})
        for index in range(self.celery_workers):
            # As deployed (deploy/systemd, compose): workers yield the CPU to the web.
            self._spawn(f"worker{index}", ["nice", "-n", str(self.worker_nice),
                                           str(VENV_BIN / "celery"), "-A", "fortify_github",
                                           "worker", "--loglevel=WARNING", "--concurrency=2",
                                           "-n", f"bench{index}@%h"], env)
        wait_for(lambda: requests.get(f"{self.url}/health", timeout=5).status_code < 600, 60,
                 "gunicorn")
        return self

    def _start_sandbox(self) -> None:
        sandbox_port = free_port()
        env_file = self.workdir / "sandbox.env"
        sandbox_env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._spawn("sandbox", [str(VENV_BIN / "python"), "-m", "github_sandbox",
                                "--port", str(sandbox_port),
                                "--key-dir", str(self.workdir / "sandbox"),
                                "--webhook-url", f"{self.url}/api/webhooks/github",
                                "--setup-url", f"{self.url}/github/setup",
                                "--callback-url", f"{self.url}/auth/complete/github/"],
                    sandbox_env, stdout_file=env_file)
        lines = wait_for(lambda: [line for line in env_file.read_text().splitlines()
                                  if line.startswith("GITHUB_WEBHOOK_SECRET=")] and
                         env_file.read_text().splitlines(), 60, "the sandbox")
        github = dict(line.split("=", 1) for line in lines if "=" in line
                      and line.split("=", 1)[0].isupper())
        self._github_env = {key: value for key, value in github.items()
                            if key.startswith("GITHUB_")}
        self.webhook_secret = github["GITHUB_WEBHOOK_SECRET"]
        self.sandbox_url = github["GITHUB_WEB_URL"]

    def _spawn(self, name: str, argv: list[str], env: dict[str, str],
               stdout_file: Path | None = None) -> None:
        out = (stdout_file or self.workdir / f"{name}.log").open("w")
        err = (self.workdir / f"{name}.err").open("w") if stdout_file else subprocess.STDOUT
        # Its own process group (stop() signals the group), in this session: with the
        # kernel's autogroup scheduling every session shares the CPU as one group, whatever
        # its processes' nice values, so a worker in its own session would take as much CPU
        # as the web however niced. One session makes `nice` rank the worker below the web,
        # as the deployment's CPUWeight (systemd) and cpu_shares (compose) do between units.
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err,  # noqa: S603
                                   process_group=0)
        self.processes.append(process)

    def stop(self) -> None:
        for process in reversed(self.processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
