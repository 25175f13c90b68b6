"""Throwaway Redis and PostgreSQL servers for fault tests: each on its own port and data
directory, stopped and started by the test (never the shared servers the suite runs on)."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from pathlib import Path

import redis

from tests.support.processes import free_port, stop_group, wait_until


class RedisServer:
    """A throwaway ``redis-server`` on its own port, stopped and started by pid."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(lambda: redis.Redis.from_url(self.url).ping(), timeout=20,
                   what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
            self.process = None


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (Debian keeps them out of PATH)."""
    found = shutil.which(name) or next(iter(sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found


class PostgresServer:
    """A throwaway PostgreSQL cluster (``initdb`` + ``pg_ctl``), restartable at will.

    PostgreSQL refuses to run as root, so as root the cluster belongs to ``postgres``."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.data = directory / "pgdata"
        self.log = directory / "postgres.log"
        self.socket_dir = directory

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/fortify"

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def init(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        self._run(postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._run(postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                  "postgres", "fortify")
        return self

    def start(self) -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-o", f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.data.parent, ignore_errors=True)
