"""Fetching exactly what a scan needs from GitHub into a temporary directory.

``pr_diff`` scans read the pull request's changed files (list and patches from the PR files
API, content from blobs, patches the files API leaves out from the compare API); ``full``
scans read the tarball of the commit. Nothing else is downloaded.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from checks.agent import ScanMode, ScanRequest, repo_relative
from checks.diff import ChangedFile

logger = logging.getLogger(__name__)

# Files larger than this are not scanned: engines gain little and a PR of generated files
# would otherwise fill the disk.
MAX_FILE_BYTES = 2 * 1024 * 1024


class UnsafePath(ValueError):
    """A path from GitHub that would escape the workspace."""


def safe_relative(path: str) -> PurePosixPath:
    relative = repo_relative(path)
    if relative is None:
        raise UnsafePath(f"refusing path {path!r}")
    return PurePosixPath(relative)


class GitHubFetcher:
    """Materialises a scan's files from GitHub with an installation client."""

    def __init__(self, client, owner: str, repo: str) -> None:
        self.client = client
        self.owner = owner
        self.repo = repo

    def materialise(self, request: ScanRequest, into: Path) -> Sequence[str]:
        """The agent's hook: changed files' blobs for ``pr_diff``, the tarball for ``full``."""
        if request.mode == ScanMode.FULL:
            return self.write_tarball(request.head_sha, into)
        return self.write_blobs([changed for changed in request.changed_files
                                 if changed.scannable], into)

    def changed_files(self, pr_number: int, base_sha: str, head_sha: str) -> list[ChangedFile]:
        """The PR's files that still exist at the head, with patches filled in where possible."""
        files = [
            ChangedFile(path=item["filename"], status=item["status"], patch=item.get("patch"),
                        previous_path=item.get("previous_filename"),
                        blob_sha=item.get("sha") or "")
            for item in self.client.list_pull_request_files(self.owner, self.repo, pr_number)
            if item["status"] != "removed"
        ]
        if any(changed.patch is None for changed in files) and base_sha:
            compared = {item["filename"]: item.get("patch") for item in
                        self.client.compare_commits(self.owner, self.repo, base_sha,
                                                    head_sha).get("files", [])}
            files = [
                changed if changed.patch is not None
                else dataclasses.replace(changed, patch=compared.get(changed.path))
                for changed in files
            ]
        return files

    def write_blobs(self, files: list[ChangedFile], into: Path) -> list[str]:
        """Write each file's head content under ``into``; returns the paths written."""
        written = []
        for changed in files:
            relative = safe_relative(changed.path)
            if not changed.blob_sha:
                continue
            blob = self.client.get_blob(self.owner, self.repo, changed.blob_sha)
            if blob.get("size", 0) > MAX_FILE_BYTES:
                logger.info("skipping %s: %d bytes", changed.path, blob["size"])
                continue
            content = (base64.b64decode(blob["content"]) if blob.get("encoding") == "base64"
                       else str(blob.get("content", "")).encode())
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(str(relative))
        return written

    def write_tarball(self, ref: str, into: Path) -> list[str]:
        """Download and unpack the repository at ``ref``, dropping GitHub's top directory."""
        with tempfile.TemporaryDirectory(prefix="fortify-tar-") as scratch:
            archive = Path(scratch) / "repo.tar.gz"
            self.client.download_tarball(self.owner, self.repo, ref, archive)
            return extract_tarball(archive, into)


def extract_tarball(archive: Path, into: Path) -> list[str]:
    """Unpack regular files only, refusing links and paths that leave ``into``."""
    written = []
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or member.size > MAX_FILE_BYTES:
                continue
            parts = PurePosixPath(member.name).parts[1:]  # strip "{owner}-{repo}-{sha}/"
            if not parts:
                continue
            relative = safe_relative(str(PurePosixPath(*parts)))
            source = tar.extractfile(member)
            if source is None:
                continue
            target = into / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            written.append(str(relative))
    return written
