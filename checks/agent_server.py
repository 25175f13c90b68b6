"""The scan agent service: Fortify's built-in engines behind the remote agent protocol.

    python -m checks.agent_server --host 127.0.0.1 --port 8700

Runs on its own machines, without the product's database, broker or settings: it receives a
scan request with a short-lived token (one repository, contents:read), fetches exactly the
files to scan from GitHub with it, runs the same engines and diff filter as the built-in
agent, and keeps the result in memory for the client to poll. Protocol: docs/scan-agent.md.
Environment: ``SCAN_AGENT_SECRET`` (bearer secret clients must send; recommended),
``SCAN_AGENT_CONCURRENCY`` (scans at once, default 2), ``SCAN_SEMGREP_RULES_DIR``.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from checks import agent_protocol
from checks.agent import BuiltinScanAgent, ScanRequest
from checks.engines import BanditEngine, DetectSecretsEngine, Engine, EngineError, EngineTimeout
from checks.engines.semgrep import RULES_DIR, SemgrepEngine
from checks.fetch import GitHubFetcher

logger = logging.getLogger("checks.agent_server")

USER_AGENT = "Fortify-GitHub-App scan-agent/1"
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Finished jobs are forgotten after this long (clients poll within seconds).
KEEP_SECONDS = 3600


class TokenClient:
    """The few GitHub calls a scan needs, with the token the request brought."""

    def __init__(self, api_url: str, token: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}",
                                     "Accept": "application/vnd.github+json",
                                     "X-GitHub-Api-Version": "2022-11-28",
                                     "User-Agent": USER_AGENT})

    def _url(self, owner: str, repo: str, tail: str) -> str:
        return f"{self.api_url}/repos/{quote(owner)}/{quote(repo)}/{tail}"

    def get_blob(self, owner: str, repo: str, file_sha: str) -> dict[str, Any]:
        """https://docs.github.com/rest/git/blobs#get-a-blob"""
        response = self.session.get(self._url(owner, repo, f"git/blobs/{quote(file_sha)}"),
                                    timeout=(5, 30))
        response.raise_for_status()
        return response.json()

    def download_tarball(self, owner: str, repo: str, ref: str, dest: Path) -> Path:
        """https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar"""
        with self.session.get(self._url(owner, repo, f"tarball/{quote(ref)}"), stream=True,
                              timeout=(5, 60)) as response:
            response.raise_for_status()
            with dest.open("wb") as handle:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    handle.write(chunk)
        return dest


@dataclass
class Job:
    id: str
    status: str = "queued"
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    finished_at: float | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "status": self.status}
        if self.result is not None:
            data["result"] = self.result
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass
class AgentService:
    """Jobs by ``scan_id``, run on a small thread pool."""

    secret: str = ""
    concurrency: int = 2
    rules_dir: Path = RULES_DIR
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=self.concurrency,
                                       thread_name_prefix="scan")

    def authorised(self, header: str | None) -> bool:
        if not self.secret:
            return True
        return hmac.compare_digest((header or "").encode(), f"Bearer {self.secret}".encode())

    def submit(self, message: dict[str, Any]) -> tuple[Job, bool]:
        """The job for ``message`` (validated by the caller), created once per scan_id."""
        request = agent_protocol.request_from_json(message)
        with self.lock:
            self._forget_old()
            job = self.jobs.get(message["scan_id"])
            if job is not None:
                return job, False
            job = self.jobs[message["scan_id"]] = Job(id=message["scan_id"])
        self.pool.submit(self._run, job, request, message["api_url"], message["token"])
        return job, True

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _forget_old(self) -> None:
        cutoff = time.time() - KEEP_SECONDS
        for key in [k for k, job in self.jobs.items()
                    if job.finished_at is not None and job.finished_at < cutoff]:
            del self.jobs[key]

    def _run(self, job: Job, request: ScanRequest, api_url: str, token: str) -> None:
        job.status = "running"
        owner, repo = request.repository.split("/", 1)
        fetcher = GitHubFetcher(TokenClient(api_url, token), owner, repo)
        engines: list[Engine] = [DetectSecretsEngine(), BanditEngine(),
                                 SemgrepEngine(rules_dir=self.rules_dir)]
        try:
            result = BuiltinScanAgent(fetcher, engines=engines).scan(request)
            job.result = agent_protocol.result_to_json(result)
            job.status = "completed"
        except EngineTimeout as error:
            job.error, job.status = {"code": "engine_timeout", "message": str(error)}, "failed"
        except EngineError as error:
            job.error, job.status = {"code": "engine_failed", "message": str(error)}, "failed"
        except requests.RequestException as error:
            job.error = {"code": "fetch_failed", "message": type(error).__name__}
            job.status = "failed"
        except Exception as error:
            logger.exception("scan %s failed", job.id)
            job.error, job.status = {"code": "internal", "message": type(error).__name__}, \
                "failed"
        finally:
            job.finished_at = time.time()
            logger.info("scan %s %s", job.id, job.status)


def make_handler(service: AgentService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FortifyScanAgent/1"

        def log_message(self, format: str, *args: Any) -> None:
            logger.info("%s %s", self.address_string(), format % args)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: str, message: str) -> None:
            self._send(status, {"error": {"code": code, "message": message}})

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"status": "ok", "protocol": agent_protocol.PROTOCOL_VERSION})
                return
            if not service.authorised(self.headers.get("Authorization")):
                self._error(401, "unauthorised", "missing or wrong bearer secret")
                return
            if not self.path.startswith("/v1/scans/"):
                self._error(404, "not_found", "no such endpoint")
                return
            job = service.get(self.path.removeprefix("/v1/scans/"))
            if job is None:
                self._error(404, "not_found", "no such scan")
                return
            self._send(200, job.as_json())

        def do_POST(self) -> None:
            if self.path != "/v1/scans":
                self._error(404, "not_found", "no such endpoint")
                return
            if not service.authorised(self.headers.get("Authorization")):
                self._error(401, "unauthorised", "missing or wrong bearer secret")
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._error(413, "too_large", "request body too large")
                return
            try:
                message = json.loads(self.rfile.read(length) or b"null")
                agent_protocol.validate(message, "ScanRequest")
            except (ValueError, agent_protocol.ProtocolError) as error:
                reason = str(error) if isinstance(error, agent_protocol.ProtocolError) \
                    else "body is not JSON"
                self._error(400, "invalid_request", reason)
                return
            job, created = service.submit(message)
            self._send(202 if created else 200, job.as_json())

    return Handler


def serve(host: str, port: int, service: AgentService) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(service))
    server.daemon_threads = True
    return server


def main(argv: Iterator[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m checks.agent_server",
                                     description="Fortify's remote scan agent service.")
    parser.add_argument("--host", default=os.environ.get("SCAN_AGENT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SCAN_AGENT_PORT",
                                                                       "8700")))
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    service = AgentService(
        secret=os.environ.get("SCAN_AGENT_SECRET", ""),
        concurrency=int(os.environ.get("SCAN_AGENT_CONCURRENCY", "2")),
        rules_dir=Path(os.environ.get("SCAN_SEMGREP_RULES_DIR") or RULES_DIR))
    if not service.secret:
        logger.warning("SCAN_AGENT_SECRET is not set: any client that reaches this port may "
                       "submit scans")
    server = serve(args.host, args.port, service)
    print(f"scan agent listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.pool.shutdown(wait=False, cancel_futures=True)


if __name__ == "__main__":
    main()
