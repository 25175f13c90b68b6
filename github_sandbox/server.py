"""`SandboxServer`: the sandbox GitHub on a free local port, in a background thread."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .application import SandboxApplication
from .credentials import AppCredentials, load_or_create_credentials
from .identifiers import IdLedger
from .state import GitHubState

LEDGER_FILE_NAME = "issued-ids.json"


class QuietRequestHandler(WSGIRequestHandler):
    """Tests read `state.requests`; an access log on stderr would only add noise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def send_response(self, code: int, message: str | None = None) -> None:
        """As the standard handler, minus its own ``Date``: the application sends GitHub's
        (sandbox-clock) time, and two Date headers would make it unreadable."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Server", self.version_string())


class SandboxServer:
    """github.com and api.github.com in one local server.

    REST is served at the root of `url` like api.github.com; the web pages (OAuth, install
    page, repository UI) live under the paths github.com uses, on the same server.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, seed: bool = True,
                 key_dir: str | Path | None = None, persist_ids: bool = False) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox listens on the loopback interface only")
        self.host = host
        self.port = port
        self.app: AppCredentials = load_or_create_credentials(key_dir)
        # ``persist_ids`` (``manage.py sandbox``, whose key_dir is var/sandbox): ids and PR
        # numbers continue where the last run stopped, since the product's database
        # remembers them. Tests start every sandbox afresh.
        ledger = (IdLedger(Path(self.app.private_key_path).parent / LEDGER_FILE_NAME)
                  if persist_ids else None)
        self.state = GitHubState(self.app, ledger=ledger)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._seed = seed

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return self.url

    def start(self) -> SandboxServer:
        self._server = make_server(self.host, self.port, SandboxApplication(self.state),
                                   threaded=True, request_handler=QuietRequestHandler)
        self.state.base_url = self.url
        if self._seed:
            from .seed import seed

            seed(self.state)
            self._seed = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="github-sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.state.stop()

    def serve_until_stopped(self) -> None:
        """Block until SIGTERM or Ctrl-C, then stop: for the command-line runners."""
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def env(self) -> dict[str, str]:
        """The settings that point the product at this sandbox."""
        return {
            "GITHUB_API_URL": self.url,
            "GITHUB_WEB_URL": self.url,
            "GITHUB_APP_ID": str(self.app.id),
            "GITHUB_APP_SLUG": self.app.slug,
            "GITHUB_APP_PRIVATE_KEY_PATH": self.app.private_key_path,
            "GITHUB_WEBHOOK_SECRET": self.app.webhook_secret,
            "GITHUB_CLIENT_ID": self.app.client_id,
            "GITHUB_CLIENT_SECRET": self.app.client_secret,
        }

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
