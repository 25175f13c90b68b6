"""What each operation needs from an installation, checked before it runs.

GitHub answers a call the App may not make with 403 or, for some endpoints, 404. Checking the
granted permissions first lets us skip the operation, tell people what to do, and never crash
a handler over a permission an organization owner has not accepted yet.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.utils import timezone

from installations.models import Installation

logger = logging.getLogger(__name__)

LEVELS = {"read": 1, "write": 2, "admin": 3}

# operation → permissions it needs (GitHub permission name → least level)
REQUIRED: dict[str, dict[str, str]] = {
    "report": {"checks": "write"},
    "read_code": {"contents": "read"},
    "review_comments": {"pull_requests": "write"},
    "commit_fixes": {"contents": "write"},
    "branch_protection": {"administration": "write"},
}

DESCRIPTIONS = {
    "report": "report scan results as check runs",
    "read_code": "read the code to scan",
    "review_comments": "comment on pull requests",
    "commit_fixes": "commit fixes to pull request branches",
    "branch_protection": "require the Fortify check in branch protection",
}


def missing_permissions(granted: Mapping[str, str], operation: str) -> list[str]:
    """Permissions (``name:level``) the operation needs beyond what was granted."""
    missing = []
    for name, level in REQUIRED[operation].items():
        if LEVELS.get(granted.get(name, ""), 0) < LEVELS[level]:
            missing.append(f"{name}:{level}")
    return missing


def warning_for(operation: str, missing: list[str]) -> str:
    return (f"Fortify cannot {DESCRIPTIONS[operation]}: the App lacks "
            f"{', '.join(missing)}. Accept the new permissions on GitHub "
            "(Settings → Integrations → Applications → Fortify).")


def installation_allows(installation: Installation, operation: str) -> bool:
    """True when granted; otherwise record a warning people see, log it, and return False."""
    missing = missing_permissions(installation.permissions, operation)
    if not missing:
        if operation in installation.permission_warnings:
            installation.permission_warnings.pop(operation)
            installation.save(update_fields=["permission_warnings", "updated_at"])
        return True
    message = warning_for(operation, missing)
    current = installation.permission_warnings.get(operation, {})
    if current.get("message") != message:
        installation.permission_warnings[operation] = {
            "message": message, "missing": missing, "at": timezone.now().isoformat()}
        installation.save(update_fields=["permission_warnings", "updated_at"])
    logger.warning("installation %s: skipped %s, missing %s", installation.installation_id,
                   operation, ", ".join(missing))
    return False


def clear_satisfied_warnings(installation: Installation) -> None:
    """After new permissions are accepted, drop the warnings they resolve."""
    remaining = {operation: warning
                 for operation, warning in installation.permission_warnings.items()
                 if operation in REQUIRED and missing_permissions(installation.permissions,
                                                                  operation)}
    if remaining != installation.permission_warnings:
        installation.permission_warnings = remaining
        installation.save(update_fields=["permission_warnings", "updated_at"])
