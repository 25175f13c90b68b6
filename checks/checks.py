"""System checks for the scanning configuration."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning


@register()
def remote_scan_agent_configured(app_configs, **kwargs) -> list[CheckWarning | Error]:
    """A remote agent URL must be usable, and the tokens sent to it protected."""
    url = settings.SCAN_AGENT_URL
    if not url:
        return []
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [Error("SCAN_AGENT_URL is not an http(s) URL.",
                      hint="Set it to the scan agent's base URL, e.g. http://10.0.0.5:8700, "
                           "or unset it to scan with the built-in engines.",
                      id="checks.E001")]
    if not settings.SCAN_AGENT_SECRET:
        return [CheckWarning(
            "SCAN_AGENT_URL is set without SCAN_AGENT_SECRET: the agent accepts scans from "
            "anyone who can reach it.",
            hint="Set the same SCAN_AGENT_SECRET for Fortify and the agent service.",
            id="checks.W002")]
    return []
