"""Reads for the dashboard pages and the API: summaries built from scans and findings."""

from __future__ import annotations

from dataclasses import dataclass

from checks.models import ScanJob
from dashboard.charts import TrendPoint
from installations.models import Installation, Repository

TREND_SCANS = 30


@dataclass(frozen=True)
class RepositoryRow:
    repository: Repository
    last_scan: ScanJob | None
    open_findings: dict[str, int]


def last_completed_scan(repository: Repository) -> ScanJob | None:
    return (repository.scans.filter(status=ScanJob.Status.COMPLETED)
            .order_by("-finished_at", "-pk").first())


def open_findings(repository: Repository) -> dict[str, int]:
    """Findings of the latest completed scan: what is open right now, by severity."""
    scan = last_completed_scan(repository)
    return scan.counts if scan else {"CRITICAL": 0, "HIGH": 0, "MEDIUM": 0, "LOW": 0, "INFO": 0}


def repository_rows(installation: Installation) -> list[RepositoryRow]:
    rows = []
    for repository in installation.repositories.filter(is_installed=True):
        rows.append(RepositoryRow(repository=repository,
                                  last_scan=repository.scans.order_by("-queued_at").first(),
                                  open_findings=open_findings(repository)))
    return rows


def trend_points(repository: Repository, limit: int = TREND_SCANS) -> list[TrendPoint]:
    scans = list(repository.scans.filter(status=ScanJob.Status.COMPLETED)
                 .order_by("-finished_at", "-pk")[:limit])
    return [TrendPoint(at=scan.finished_at, counts=scan.counts,
                       label=(f"#{scan.pr_number} " if scan.pr_number else "")
                       + (scan.finished_at.strftime("%Y-%m-%d") if scan.finished_at else ""))
            for scan in reversed(scans)]


def github_line_url(github_web_url: str, scan: ScanJob, path: str, start: int, end: int) -> str:
    """A link to the flagged lines at the scanned commit on GitHub."""
    from urllib.parse import quote

    lines = f"L{start}" if start == end else f"L{start}-L{end}"
    return (f"{github_web_url}/{scan.repository.full_name}/blob/{scan.head_sha}/"
            f"{quote(path)}#{lines}")
