"""The remote scan agent client: the same ``ScanAgent`` interface as the built-in one.

With ``SCAN_AGENT_URL`` set, ``checks.services`` scans through here: POST the scan request
(with an installation token narrowed to the one repository and contents:read), poll until
the agent finishes or the scan's budget is spent, then apply the same diff filter and
exclusions as the built-in agent to what comes back, so a misbehaving agent can never report
outside the pull request's changed lines. Transport errors are retried; what the agent says
about a failure is logged as its code only and never reaches GitHub or users (the run shows
a reference id). Protocol: docs/scan-agent.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from checks import agent_protocol
from checks.agent import ScanCancelled, ScanMode, ScanRequest, ScanResult, is_excluded
from checks.diff import changed_lines, filter_to_changed
from checks.engines import EngineError, EngineTimeout
from checks.findings import sort_key

logger = logging.getLogger(__name__)

ENGINE_NAME = "scan-agent"
#: Statuses worth retrying: the agent restarting, a proxy in front of it.
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class RemoteAgentError(EngineError):
    """The agent failed the scan or broke the protocol; ``reason`` is ours, never its text."""

    def __init__(self, reason: str) -> None:
        super().__init__(ENGINE_NAME, reason)


class RemoteAgentTimeout(EngineTimeout):
    """The agent did not finish within the scan's budget, or could not be reached."""

    def __init__(self, timeout: float, reason: str = "") -> None:
        super().__init__(ENGINE_NAME, timeout)
        if reason:
            self.reason = reason


class RemoteScanAgent:
    def __init__(self, url: str, *, token: Callable[[], str], api_url: str, scan_id: str,
                 secret: str = "", poll_interval: float = 2.0, http_timeout: float = 10.0,
                 max_attempts: int = 3, cancelled: Callable[[], bool] | None = None) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.api_url = api_url
        self.scan_id = scan_id
        self.poll_interval = poll_interval
        self.http_timeout = http_timeout
        self.max_attempts = max_attempts
        self.cancelled = cancelled
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        if secret:
            self.session.headers["Authorization"] = f"Bearer {secret}"

    def scan(self, request: ScanRequest) -> ScanResult:
        started = time.monotonic()
        deadline = started + request.timeout
        body = agent_protocol.request_to_json(request, scan_id=self.scan_id,
                                              token=self.token(), api_url=self.api_url)
        job = self._call("POST", "/v1/scans", deadline, request.timeout, json=body)
        while job["status"] in ("queued", "running"):
            if self.cancelled is not None and self.cancelled():
                raise ScanCancelled
            if time.monotonic() + self.poll_interval > deadline:
                raise RemoteAgentTimeout(request.timeout, "the agent did not finish in time")
            time.sleep(self.poll_interval)
            job = self._call("GET", f"/v1/scans/{job['id']}", deadline, request.timeout)
        if job["status"] == "failed":
            code = job["error"]["code"]
            if code == "engine_timeout":
                raise RemoteAgentTimeout(request.timeout, "an engine timed out on the agent")
            raise RemoteAgentError(f"the agent failed the scan ({code})")
        try:
            result = agent_protocol.result_from_json(job["result"], request)
        except agent_protocol.ProtocolError as error:
            raise RemoteAgentError(str(error)) from None
        return self._within_request(result, request, time.monotonic() - started)

    @staticmethod
    def _within_request(result: ScanResult, request: ScanRequest,
                        duration: float) -> ScanResult:
        """The built-in agent's limits, applied again: changed lines only, no excluded or
        unsafe path."""
        from dataclasses import replace

        from checks.agent import repo_relative

        findings = [finding for finding in result.findings
                    if repo_relative(finding.path) == finding.path
                    and not is_excluded(finding.path, request.excluded)]
        if request.mode is ScanMode.PR_DIFF:
            findings = filter_to_changed(findings, changed_lines(request.changed_files))
        findings.sort(key=sort_key)
        return replace(result, findings=tuple(findings), duration_seconds=duration)

    def _call(self, method: str, path: str, deadline: float, budget: float,
              **kwargs: Any) -> dict[str, Any]:
        """One protocol call, retried on connection errors and 429/5xx within the budget."""
        for attempt in range(1, self.max_attempts + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RemoteAgentTimeout(budget, "the agent did not answer in time")
            try:
                response = self.session.request(method, self.url + path,
                                                timeout=min(self.http_timeout, remaining),
                                                **kwargs)
            except requests.RequestException as error:
                logger.warning("scan agent %s %s: %s (attempt %d)", method, path,
                               type(error).__name__, attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return self._job(response, method, path)
                logger.warning("scan agent %s %s: HTTP %d (attempt %d)", method, path,
                               response.status_code, attempt)
            if attempt < self.max_attempts:
                time.sleep(min(2 ** attempt * 0.5, max(deadline - time.monotonic(), 0)))
        raise RemoteAgentTimeout(budget, "the agent could not be reached")

    @staticmethod
    def _job(response: requests.Response, method: str, path: str) -> dict[str, Any]:
        if response.status_code not in (200, 202):
            logger.error("scan agent %s %s answered HTTP %d", method, path, response.status_code)
            raise RemoteAgentError(f"the agent refused the request (HTTP {response.status_code})")
        try:
            job = response.json()
            agent_protocol.validate(job, "ScanJob")
        except (ValueError, agent_protocol.ProtocolError) as error:
            reason = str(error) if isinstance(error, agent_protocol.ProtocolError) else \
                "the agent's answer is not JSON"
            raise RemoteAgentError(reason) from None
        return job


def remote_agent_for(scan, *, cancelled: Callable[[], bool]) -> RemoteScanAgent:
    """The agent for one scan, with a token that can only read this repository's code."""
    from django.conf import settings

    from fortify_github.github.tokens import installation_token

    repository = scan.repository
    installation_id = scan.installation.installation_id

    def token() -> str:
        return installation_token(installation_id, repositories=[repository.name],
                                  permissions={"contents": "read"})

    return RemoteScanAgent(
        settings.SCAN_AGENT_URL, token=token, api_url=settings.GITHUB_API_URL,
        scan_id=f"{scan.public_id}-{scan.attempts}", secret=settings.SCAN_AGENT_SECRET,
        poll_interval=settings.SCAN_AGENT_POLL_INTERVAL,
        http_timeout=settings.SCAN_AGENT_HTTP_TIMEOUT, cancelled=cancelled)
