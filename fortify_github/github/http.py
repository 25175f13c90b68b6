"""The request loop every GitHub call goes through.

One place decides, for every call: the rate-limit gate and content throttle before sending;
the circuit breaker around the exchange; retries with exponential backoff and jitter for 5xx,
connection errors and timeouts (bounded in count and in total wait, never for 4xx); one
credential renewal after a 401; waiting out rate limits that end soon and raising the rest
with ``retry_after``; conditional GETs served from the cache on 304, and immutable resources
(a blob named by its sha) served from it without asking; and one log line plus metrics per
exchange, tagged with the endpoint template, never with a credential.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

from fortify_github.github import breaker, metrics, ratelimit, shared
from fortify_github.github.conf import ClientConf, conf
from fortify_github.github.credentials import Credential, cache_identity
from fortify_github.github.errors import (
    BadRequest,
    CircuitOpen,
    Conflict,
    GitHubError,
    IncompleteList,
    NotFound,
    PermissionDenied,
    PrimaryRateLimited,
    RateLimited,
    SecondaryRateLimited,
    ServerError,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from fortify_github.github.pagination import PER_PAGE, next_url

logger = logging.getLogger("fortify_github.github")

ACCEPT = "application/vnd.github+json"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT_METHODS = SAFE_METHODS | {"PUT", "DELETE"}
# Bodies larger than this are not kept for conditional GETs (recursive trees can be huge).
ETAG_CACHE_MAX_BYTES = 1_000_000
ETAG_CACHE_TTL = 24 * 3600
# Rate-limit waits inside one call, beyond which the caller gets the error to re-queue.
MAX_RATE_LIMIT_WAITS = 3

_local = threading.local()


def _session() -> requests.Session:
    """One pooled session per thread (``requests.Session`` is not documented thread-safe)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


@dataclass
class Reply:
    """A successful answer: status, headers, and the parsed JSON body (None when empty)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    from_cache: bool = False
    raw: requests.Response | None = field(default=None, repr=False)


def backoff_delay(attempt: int, settings: ClientConf) -> float:
    """The shared policy (``fortify_github.backoff``) within the client's bounds."""
    return settings.backoff(attempt)


def expand(template: str, path_params: Mapping[str, object] | None) -> str:
    """Fill a path template, escaping each value (slashes kept: refs and file paths)."""
    values = {name: quote(str(value), safe="/") for name, value in (path_params or {}).items()}
    return template.format(**values)


def _json_or_none(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _message(data: Any, fallback: str) -> tuple[str, str | None]:
    if isinstance(data, dict):
        return str(data.get("message") or fallback), data.get("documentation_url")
    return fallback, None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def classify(endpoint: str, response: requests.Response) -> GitHubError:
    """The typed error for a non-2xx response (403/429 checked for rate limits first)."""
    status = response.status_code
    headers = response.headers
    data = _json_or_none(response)
    message, docs = _message(data, response.reason or f"HTTP {status}")
    common: dict[str, Any] = {"endpoint": endpoint, "status": status,
              "request_id": headers.get("x-github-request-id"), "documentation_url": docs}
    if status in (403, 429):
        retry_after = _retry_after(headers)
        if headers.get("x-ratelimit-remaining") == "0" and retry_after is None:
            try:
                reset_at = float(headers["x-ratelimit-reset"]) - ratelimit.server_offset(headers)
            except (KeyError, ValueError):
                reset_at = time.time() + 60
            return PrimaryRateLimited(message, reset_at=reset_at,
                                      retry_after=max(reset_at - time.time(), 1.0), **common)
        if retry_after is not None or status == 429 or "secondary rate limit" in message.lower():
            return SecondaryRateLimited(message, retry_after=retry_after, **common)
    if status >= 500:
        return ServerError(message, retry_after=_retry_after(headers), **common)
    error_class: type[GitHubError] = {
        400: BadRequest, 401: Unauthorized, 403: PermissionDenied, 404: NotFound, 409: Conflict,
        410: NotFound, 422: ValidationFailed,
    }.get(status, GitHubError)
    if error_class is ValidationFailed:
        errors = data.get("errors") if isinstance(data, dict) else None
        return ValidationFailed(message, errors=errors if isinstance(errors, list) else None,
                                **common)
    return error_class(message, **common)


class Transport:
    """Sends requests as one credential; ``GitHubClient`` builds endpoint methods on it."""

    def __init__(self, credential: Credential, *, base_url: str | None = None) -> None:
        self.credential = credential
        self._base_url = base_url

    @property
    def base_url(self) -> str:
        return (self._base_url or conf().api_url).rstrip("/")

    # ---- public entry points ----------------------------------------------------------------

    def request(self, method: str, template: str, *, path: Mapping[str, object] | None = None,
                params: Mapping[str, object] | None = None, json_body: Any = None,
                url: str | None = None, cacheable: bool = False, content: bool | None = None,
                idempotent: bool | None = None, accept: str | None = None,
                stream: bool = False, immutable: bool = False) -> Reply:
        """One API call with everything the module docstring promises.

        ``template`` is the documented path (``/repos/{owner}/{repo}``): it names the call in
        logs and metrics. ``url`` overrides the address (a ``Link`` next page). ``content``
        marks content-creating requests for the throttle (default: any write). ``idempotent``
        (default: by method) allows repeating a request whose outcome is unknown.
        ``immutable`` (with ``cacheable``): the address names content that never changes (a
        blob by its sha), so a cached answer is returned without a request at all.
        """
        method = method.upper()
        endpoint = f"{method} {template}"
        settings = conf()
        address = url or self.base_url + expand(template, path)
        query = None if url else _clean_params(params)
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        if content is None:
            content = method not in SAFE_METHODS
        etag_key = self._etag_key(address, query, accept) if cacheable and method == "GET" else None
        cached = _read_cached(etag_key) if etag_key else None
        if immutable and cached is not None:
            metrics.observe(endpoint, "cached", None)
            return _cached_reply(cached)

        attempts = 0
        waited = 0.0
        rate_waits = 0
        renewed = False
        while True:
            attempts += 1
            penalised = self._gate(endpoint, settings, content=content)
            authorization = self.credential.authorization()
            headers = {
                "Accept": accept or ACCEPT,
                "X-GitHub-Api-Version": settings.api_version,
                "User-Agent": settings.user_agent,
            }
            if authorization:  # the anonymous credential sends none
                headers["Authorization"] = authorization
            if cached and cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            try:
                response = breaker.guarded(
                    partial(self._exchange, method, endpoint, address, query, headers,
                            json_body, settings, stream),
                    endpoint=endpoint)
            except CircuitOpen:
                metrics.observe(endpoint, "circuit_open", None)
                raise
            except (ServerError, Unavailable) as error:
                unsafe_to_repeat = not idempotent and (
                    isinstance(error, ServerError) or getattr(error, "sent", True))
                if unsafe_to_repeat:
                    error.outcome_unknown = True
                    raise
                delay = max(backoff_delay(attempts, settings), error.retry_after or 0.0)
                if attempts >= settings.retry_max_attempts or (
                        waited + delay > settings.retry_max_total_wait):
                    raise
                logger.info("Retrying %s in %.1fs after %s (attempt %d of %d)", endpoint, delay,
                            type(error).__name__, attempts + 1, settings.retry_max_attempts)
                time.sleep(delay)
                waited += delay
                continue

            rate_key = self.credential.rate_key
            status = response.status_code
            if status != 401:  # a rejected credential is counted as anonymous: not our budget
                ratelimit.remember_budget(rate_key, response.headers)
            if status == 304 and cached is not None:
                response.close()
                if penalised:
                    ratelimit.clear_penalty(rate_key)
                return _cached_reply(cached)
            if status < 400:
                if penalised:
                    ratelimit.clear_penalty(rate_key)
                if stream:
                    return Reply(status, response.headers, None, raw=response)
                data = _json_or_none(response)
                if etag_key and response.headers.get("etag") and (
                        len(response.content) <= ETAG_CACHE_MAX_BYTES):
                    kept = {name: response.headers[name] for name in ("link",)
                            if name in response.headers}
                    _write_cached(etag_key, response.headers["etag"], data, kept)
                return Reply(status, response.headers, data, raw=response)

            failure = classify(endpoint, response)
            response.close()
            if isinstance(failure, Unauthorized) and not renewed and (
                    self.credential.renew_after_401(authorization, failure.message,
                                                    response.headers)):
                renewed = True
                attempts -= 1
                continue
            if isinstance(failure, PermissionDenied) and "suspended" in failure.message.lower():
                self._forget_installation_token()
            if isinstance(failure, RateLimited):
                wait = self._rate_limit_wait(failure)
                failure.retry_after = wait
                if wait <= settings.rate_limit_max_wait and rate_waits < MAX_RATE_LIMIT_WAITS:
                    rate_waits += 1
                    attempts -= 1
                    continue  # the gate now holds the call until GitHub's wait is over
                metrics.RATE_LIMIT_WAITS.labels(kind="gave_up").inc()
            raise failure

    def paginate(self, template: str, *, path: Mapping[str, object] | None = None,
                 params: Mapping[str, object] | None = None, item_key: str | None = None,
                 cacheable: bool = False, max_pages: int | None = None,
                 complete: bool = False) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` up to a page cap.

        ``complete``: the caller acts on what is *missing* from the list (reconciliation), so
        reaching the cap with pages left raises ``IncompleteList`` instead of stopping.
        """
        cap = max_pages or conf().max_pages
        query: dict[str, object] = {"per_page": PER_PAGE, **(params or {})}
        url: str | None = None
        for page in range(1, cap + 1):
            reply = self.request("GET", template, path=path, params=query, url=url,
                                 cacheable=cacheable)
            data: Any = reply.data or ({} if item_key else [])
            items = data.get(item_key, []) if item_key else data
            yield from items
            url = next_url(reply.headers.get("link"))
            if not url:
                return
            if urlsplit(url).netloc != urlsplit(self.base_url).netloc:
                # Our token is sent with the next request: never to another host.
                logger.warning("Stopped %s: its next page is on another host",
                               f"GET {template}")
                return
            if page == cap:
                logger.warning("Stopped %s after the page cap (%d pages)", f"GET {template}", cap)
                if complete:
                    raise IncompleteList(f"more than {cap} pages", endpoint=f"GET {template}")

    def download(self, template: str, dest: Path, *, path: Mapping[str, object]) -> Path:
        """Stream a (redirected) download to ``dest``; written whole or not at all."""
        reply = self.request("GET", template, path=path, stream=True, accept="*/*")
        assert reply.raw is not None
        partial = dest.with_name(dest.name + ".part")
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with reply.raw, partial.open("wb") as handle:
                for chunk in reply.raw.iter_content(chunk_size=1 << 16):
                    handle.write(chunk)
        except requests.RequestException as error:
            partial.unlink(missing_ok=True)
            raise Unavailable(f"download interrupted ({type(error).__name__})",
                              endpoint=f"GET {template}") from None
        partial.replace(dest)
        return dest

    # ---- internals --------------------------------------------------------------------------

    def _etag_key(self, address: str, query: dict[str, str] | None, accept: str | None) -> str:
        signature = json.dumps([cache_identity(self.credential), address,
                                sorted((query or {}).items()), accept or ACCEPT])
        return shared.key("etag", hashlib.sha256(signature.encode()).hexdigest())

    def _gate(self, endpoint: str, settings: ClientConf, *, content: bool) -> bool:
        """Hold the call while the budget, a penalty or the throttle says so (or raise)."""
        rate_key = self.credential.rate_key
        gate = ratelimit.gate(rate_key)
        if gate.delay > 0:
            if gate.kind != "low_budget" and gate.delay > settings.rate_limit_max_wait:
                metrics.RATE_LIMIT_WAITS.labels(kind=f"{gate.kind}_deferred").inc()
                if gate.kind == "primary":
                    raise PrimaryRateLimited(
                        "rate limit budget spent; waiting for the reset", endpoint=endpoint,
                        reset_at=gate.reset_at, retry_after=gate.delay)
                raise SecondaryRateLimited("holding off after a secondary rate limit",
                                           endpoint=endpoint, retry_after=gate.delay)
            metrics.RATE_LIMIT_WAITS.labels(kind=gate.kind).inc()
            logger.info("Holding %s for %.1fs (%s)", endpoint, gate.delay, gate.kind)
            time.sleep(gate.delay)
        if content and self.credential.rate_key != "app":
            for _ in range(MAX_RATE_LIMIT_WAITS + 1):
                wait = ratelimit.acquire_content_slot(rate_key)
                if wait <= 0:
                    break
                if wait > settings.rate_limit_max_wait:
                    metrics.RATE_LIMIT_WAITS.labels(kind="throttle_deferred").inc()
                    metrics.observe(endpoint, "throttled", None)
                    raise SecondaryRateLimited(
                        "content-creation throttle full for this installation",
                        endpoint=endpoint, retry_after=wait)
                metrics.RATE_LIMIT_WAITS.labels(kind="throttle").inc()
                time.sleep(wait)
            else:
                # Other workers kept taking the freed slots: never send over the limit.
                metrics.RATE_LIMIT_WAITS.labels(kind="throttle_deferred").inc()
                raise SecondaryRateLimited(
                    "content-creation throttle still full for this installation",
                    endpoint=endpoint, retry_after=wait)
        return gate.penalised

    def _forget_installation_token(self) -> None:
        installation_id = getattr(self.credential, "installation_id", None)
        if installation_id is not None:
            from fortify_github.github.tokens import drop_installation_token

            drop_installation_token(installation_id)

    def _rate_limit_wait(self, error: RateLimited) -> float:
        """Seconds until GitHub lets this credential call again; shared with every process."""
        if isinstance(error, PrimaryRateLimited):
            reset_at = error.reset_at or time.time() + 60
            ratelimit.note_exhausted(self.credential.rate_key, reset_at)
            return max(reset_at - time.time() + 1, 1.0)
        return ratelimit.secondary_wait(self.credential.rate_key, error.retry_after)

    def _exchange(self, method: str, endpoint: str, address: str,
                  query: dict[str, str] | None, headers: dict[str, str], json_body: Any,
                  settings: ClientConf, stream: bool) -> requests.Response:
        """One HTTP exchange: a response below 500, or ``ServerError``/``Unavailable``."""
        started = time.monotonic()
        try:
            response = _session().request(
                method, address, params=query, json=json_body, headers=headers,
                timeout=(settings.connect_timeout, settings.read_timeout), stream=stream,
                allow_redirects=True,
            )
        except requests.exceptions.ConnectTimeout:
            self._log_failure(endpoint, "timeout", started)
            raise Unavailable("timed out connecting to GitHub", endpoint=endpoint,
                              sent=False) from None
        except requests.exceptions.Timeout:
            self._log_failure(endpoint, "timeout", started)
            raise Unavailable("GitHub did not answer in time", endpoint=endpoint,
                              sent=True) from None
        except requests.exceptions.ConnectionError as error:
            self._log_failure(endpoint, "connection_error", started)
            never_sent = _connection_never_opened(error)
            raise Unavailable("could not reach GitHub", endpoint=endpoint,
                              sent=not never_sent) from None
        duration = time.monotonic() - started
        status = response.status_code
        metrics.observe(endpoint, status, duration)
        logger.info(
            "GitHub %s -> %s in %.0f ms (request id %s, rate limit remaining %s)",
            endpoint, status, duration * 1000, response.headers.get("x-github-request-id", "-"),
            response.headers.get("x-ratelimit-remaining", "-"),
            extra={"github_endpoint": endpoint, "github_status": status,
                   "duration_ms": round(duration * 1000, 1),
                   "github_request_id": response.headers.get("x-github-request-id"),
                   "ratelimit_remaining": response.headers.get("x-ratelimit-remaining")},
        )
        if status >= 500:
            failure = classify(endpoint, response)
            response.close()
            raise failure
        return response

    def _log_failure(self, endpoint: str, outcome: str, started: float) -> None:
        duration = time.monotonic() - started
        metrics.observe(endpoint, outcome, duration)
        logger.warning("GitHub %s -> %s after %.0f ms", endpoint, outcome, duration * 1000,
                       extra={"github_endpoint": endpoint, "github_status": outcome,
                              "duration_ms": round(duration * 1000, 1)})


def _write_cached(etag_key: str, etag: str, data: Any, headers: Mapping[str, str]) -> None:
    """Keep a response for conditional GETs. The body is encrypted (Fernet, the token keys):
    blobs, contents and patches are source code, never kept in plain text in the cache."""
    from fortify_github.github import crypto

    sealed = crypto.encrypt(json.dumps(data, separators=(",", ":")))
    cache.set(etag_key, {"etag": etag, "sealed": sealed, "headers": dict(headers)},
              timeout=ETAG_CACHE_TTL)


def _cached_reply(cached: dict[str, Any]) -> Reply:
    """The answer kept in the cache, as a 200 (a 304's, or an immutable resource's)."""
    return Reply(200, CaseInsensitiveDict(cached.get("headers") or {}), cached.get("data"),
                 from_cache=True)


def _read_cached(etag_key: str) -> dict[str, Any] | None:
    """A cached response with its body decrypted; None when absent or unreadable (a rotated
    key, an entry from an older version): the request is then simply sent unconditionally."""
    from fortify_github.github import crypto

    entry = cache.get(etag_key)
    if not isinstance(entry, dict) or "sealed" not in entry:
        return None
    try:
        data = json.loads(crypto.decrypt(entry["sealed"]))
    except (crypto.TokenDecryptionError, ValueError):
        return None
    return {"etag": entry.get("etag"), "data": data, "headers": entry.get("headers") or {}}


def _connection_never_opened(error: requests.exceptions.ConnectionError) -> bool:
    """Connection refused / DNS failure: the request certainly did not reach GitHub."""
    text = repr(error.args[0]) if error.args else ""
    return any(marker in text for marker in (
        "NewConnectionError", "NameResolutionError", "Connection refused",
        "Failed to establish a new connection",
    ))


def _clean_params(params: Mapping[str, object] | None) -> dict[str, str] | None:
    """Query parameters as GitHub expects them: None dropped, booleans lower-case."""
    if not params:
        return None
    cleaned: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        cleaned[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return cleaned or None

