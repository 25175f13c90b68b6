"""Prometheus metrics for GitHub calls, in the default registry that ``/metrics`` exports.

Labels stay bounded: ``endpoint`` is a template from the client's code (``GET
/repos/{owner}/{repo}``), ``status_code`` an HTTP status or one of a few words
(``connection_error``, ``timeout``, ``circuit_open``, ``throttled``).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "github_api_requests",  # exported as github_api_requests_total
    "Requests made to the GitHub API, by endpoint template and outcome.",
    ["endpoint", "status_code"],
)
DURATION = Histogram(
    "github_api_request_duration_seconds",
    "Time from sending a GitHub API request to its response headers.",
    ["endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
TOKEN_FETCHES = Counter(
    "github_installation_token_fetches",
    "Installation tokens requested from GitHub (cache misses).",
)
RATE_LIMIT_WAITS = Counter(
    "github_rate_limit_waits",
    "Times a call waited or gave up because of a rate limit or throttle.",
    ["kind"],
)


def observe(endpoint: str, status_code: int | str, duration: float | None) -> None:
    REQUESTS.labels(endpoint=endpoint, status_code=str(status_code)).inc()
    if duration is not None:
        DURATION.labels(endpoint=endpoint).observe(duration)
