"""System checks for the scanning configuration."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register()
def remote_scan_agent_not_available_yet(app_configs, **kwargs) -> list[CheckWarning]:
    """Say plainly that SCAN_AGENT_URL is not used yet, rather than ignore it silently."""
    if not settings.SCAN_AGENT_URL:
        return []
    return [CheckWarning(
        "SCAN_AGENT_URL is set, but this version has no remote scan agent: scans run on the "
        "built-in engines.",
        hint="Unset SCAN_AGENT_URL, or upgrade once the remote agent is released.",
        id="checks.W001")]
