"""People and what they may reach: users, memberships, GitHub user tokens, scans with findings.

Scans and findings are Fortify's own rows, so tests may create them directly; anything GitHub
says comes from the sandbox.
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from accounts.models import User
from checks.models import Finding, ScanJob
from installations.models import Installation, InstallationMembership, Repository


def make_user(login: str, *, github_id: int | None = None) -> User:
    return User.objects.create(username=login, github_login=login, github_id=github_id)


def make_member(user: User, installation: Installation, role: str = "admin"
                ) -> InstallationMembership:
    return InstallationMembership.objects.create(user=user, installation=installation, role=role)


def give_github_token(user: User, sandbox, login: str) -> None:
    """Store a sandbox user-to-server token for ``user``, as sign-in would."""
    from datetime import UTC, datetime

    from accounts.services import github_authorization_store
    from fortify_github.github.oauth import UserToken

    def when(epoch: float | None):
        return datetime.fromtimestamp(epoch, tz=UTC) if epoch else None

    token, refresh = sandbox.state.issue_user_token(login)
    github_authorization_store(
        user=user, github_user_id=sandbox.state.account(login).id,
        token=UserToken(access_token=token.token, token_type="bearer", scope="",
                        expires_at=when(token.expires_at),
                        refresh_token=refresh.token if refresh else "",
                        refresh_token_expires_at=when(refresh.expires_at if refresh else None)))


def make_scan(repository: Repository, *, pr_number: int | None = 1,
              findings: dict[str, int] | None = None, finished_days_ago: int = 0) -> ScanJob:
    """A completed scan with ``findings`` ({severity: count}) stored as Finding rows."""
    findings = findings or {}
    finished = timezone.now() - timezone.timedelta(days=finished_days_ago)
    scan = ScanJob.objects.create(
        repository=repository, installation=repository.installation, pr_number=pr_number,
        head_sha=uuid.uuid4().hex[:40].ljust(40, "0"), head_branch="feature",
        base_branch=repository.default_branch, status=ScanJob.Status.COMPLETED,
        conclusion="failure" if findings.get("HIGH") or findings.get("CRITICAL") else "success",
        finished_at=finished,
        **{f"{severity.lower()}_count": count for severity, count in findings.items()})
    line = 1
    for severity, count in findings.items():
        for _ in range(count):
            Finding.objects.create(
                scan=scan, engine="bandit", rule_id=f"B{line:03d}", severity=severity,
                title=f"{severity.title()} issue", path="app/views.py", start_line=line,
                end_line=line, snippet=f"password = 'x{line}'", fingerprint=uuid.uuid4().hex)
            line += 1
    return scan
