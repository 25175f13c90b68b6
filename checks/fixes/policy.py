"""Which fix buttons a scan's run offers, from the installation's permissions."""

from __future__ import annotations

from checks.models import ScanJob
from installations.permissions import missing_permissions

#: What each way of delivering fixes needs (``installations.permissions.REQUIRED`` names).
SUGGEST = "review_comments"  # pull_requests:write
COMMIT = "commit_fixes"  # contents:write


def head_in_same_repository(scan: ScanJob) -> bool:
    """Fork pull requests' branches are out of the App's reach: suggestions only."""
    return bool(scan.head_repository_full_name) and (
        scan.head_repository_full_name.lower() == scan.repository.full_name.lower())


def can_commit_fixes(scan: ScanJob) -> bool:
    installation = scan.installation
    return (installation is not None and scan.pr_number is not None
            and head_in_same_repository(scan)
            and not missing_permissions(installation.permissions, COMMIT))
