"""Fetching exactly what a scan needs from GitHub into a temporary directory.

``pr_diff`` scans read the pull request's changed files (list and patches from the PR files
API, patches the files API leaves out from the compare API), then their content in as few
requests as GitHub allows: none for a file whose patch holds all of it (an added file, checked
against its blob hash: :func:`checks.diff.head_content_from_patch`); for the others one blob
request per file for small pull requests, the archive of the head commit (one request) once
``SCAN_TARBALL_MIN_FILES`` files are needed, unless the repository is too large for that
archive to be the cheaper fetch (``SCAN_TARBALL_MAX_KB_PER_FILE`` and
``SCAN_TARBALL_MAX_FILES_PER_FILE``, see :meth:`GitHubFetcher.uses_archive`). Only files
some engine reads are fetched. ``full`` scans read the tarball of the commit.

Every wanted file that cannot be written (too large, binary, missing) is reported as a scan
gap (``checks.integrity``), never dropped silently. ``cancelled`` is asked before every
request, so a superseded scan stops before its next GitHub request.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import logging
import tarfile
import tempfile
from collections.abc import Callable, Collection, Sequence
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from checks import integrity
from checks.agent import ScanCancelled, ScanMode, ScanRequest, is_excluded, repo_relative
from checks.archive_filter import kept_members, kept_paths_skippable
from checks.diff import ChangedFile, head_content_from_patch
from checks.integrity import Reason

logger = logging.getLogger(__name__)

# Files larger than this are not scanned: engines gain little and a PR of generated files
# would otherwise fill the disk.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Above this many files, one archive download costs fewer requests than one blob each.
DEFAULT_TARBALL_MIN_FILES = 20
#: ...while the repository weighs at most this many KB per file the scan needs...
DEFAULT_TARBALL_MAX_KB_PER_FILE = 256
#: ...and its last archive held at most this many files per file the scan needs.
DEFAULT_TARBALL_MAX_FILES_PER_FILE = 200
#: Past this many blob requests a pull request takes the archive whatever its size: GitHub
#: allows an installation 5,000 requests an hour, and one PR should not take a large share.
MAX_BLOB_REQUESTS = 300


class UnsafePath(ValueError):
    """A path from GitHub that would escape the workspace."""


def safe_relative(path: str) -> PurePosixPath:
    relative = repo_relative(path)
    if relative is None:
        raise UnsafePath(f"refusing path {path!r}")
    return PurePosixPath(relative)


class GitHubFetcher:
    """Materialises a scan's files from GitHub with an installation client."""

    def __init__(self, client, owner: str, repo: str, *,
                 wanted: Callable[[str], bool] | None = None,
                 cancelled: Callable[[], bool] | None = None,
                 source_expected: Callable[[str], bool] | None = None,
                 tarball_min_files: int = DEFAULT_TARBALL_MIN_FILES,
                 tarball_max_kb_per_file: int = DEFAULT_TARBALL_MAX_KB_PER_FILE,
                 tarball_max_files_per_file: int = DEFAULT_TARBALL_MAX_FILES_PER_FILE,
                 repository_size_kb: int | None = None,
                 repository_files: int | None = None) -> None:
        self.client = client
        self.owner = owner
        self.repo = repo
        #: Whether some engine reads the path; other files are neither fetched nor gaps.
        self.wanted = wanted or (lambda path: True)
        self.cancelled = cancelled
        #: Whether a source-code engine reads the path: binary content there is a gap (a
        #: binary asset that only the secrets scanner would look at is not).
        self.source_expected = source_expected or self.wanted
        self.tarball_min_files = tarball_min_files
        self.tarball_max_kb_per_file = tarball_max_kb_per_file
        self.tarball_max_files_per_file = tarball_max_files_per_file
        #: GitHub's ``repository.size`` (KB); ``None`` when unknown.
        self.repository_size_kb = repository_size_kb
        #: Files in the last archive of the repository read (``None`` when none was):
        #: GitHub reports no file count, and its size undercounts many small files.
        self.repository_files = repository_files
        #: Files in the archive this fetcher read, once it read one (for the next scans).
        self.archive_files: int | None = None
        #: GitHub requests this fetcher sent (for the request-count benchmark and logs).
        self.requests = 0

    def before_request(self) -> None:
        """Called before every GitHub request: a superseded scan stops here; counts it."""
        if self.cancelled is not None and self.cancelled():
            raise ScanCancelled
        self.requests += 1

    def materialise(self, request: ScanRequest, into: Path) -> Sequence[str]:
        """The agent's hook: the changed files for ``pr_diff``, the tarball for ``full``."""
        if request.mode == ScanMode.FULL:
            return self.write_tarball(request.head_sha, into)
        files = [changed for changed in request.changed_files
                 if changed.scannable and self.wanted(changed.path)
                 and not is_excluded(changed.path, request.excluded)]
        written, rest = self.write_from_patches(files, into)
        if self.uses_archive(len(rest)) and request.head_sha:
            return written + self.write_tarball(request.head_sha, into,
                                                only={changed.path for changed in rest})
        return written + self.write_blobs(rest, into)

    def uses_archive(self, files: int) -> bool:
        """A pull request's ``files`` come from one archive request rather than a blob
        request each: from ``tarball_min_files`` on, while the repository weighs at most
        ``tarball_max_kb_per_file`` and holds at most ``tarball_max_files_per_file`` files
        per file (the archive holds all of it, so a monorepo's would dwarf the files; an
        unknown size or count counts as small), and always past ``MAX_BLOB_REQUESTS``."""
        if files < self.tarball_min_files:
            return False
        if files > MAX_BLOB_REQUESTS:
            return True
        if self.repository_size_kb is not None and \
                self.repository_size_kb > files * self.tarball_max_kb_per_file:
            return False
        return self.repository_files is None or \
            self.repository_files <= files * self.tarball_max_files_per_file

    def changed_files(self, pr_number: int, base_sha: str, head_sha: str) -> list[ChangedFile]:
        """The PR's files that still exist at the head, with patches filled in where possible."""
        self.before_request()
        files = [
            ChangedFile(path=item["filename"], status=item["status"], patch=item.get("patch"),
                        previous_path=item.get("previous_filename"),
                        blob_sha=item.get("sha") or "")
            for item in self.client.list_pull_request_files(self.owner, self.repo, pr_number)
            if item["status"] != "removed"
        ]
        if any(changed.patch is None and self.wanted(changed.path) for changed in files) \
                and base_sha:
            self.before_request()
            compared = {item["filename"]: item.get("patch") for item in
                        self.client.compare_commits(self.owner, self.repo, base_sha,
                                                    head_sha).get("files", [])}
            files = [
                changed if changed.patch is not None
                else dataclasses.replace(changed, patch=compared.get(changed.path))
                for changed in files
            ]
        return files

    def write_from_patches(self, files: list[ChangedFile], into: Path
                           ) -> tuple[list[str], list[ChangedFile]]:
        """Write the files whose patch holds their whole head content (no request); returns
        the paths written and the files still to fetch."""
        written: list[str] = []
        rest: list[ChangedFile] = []
        for changed in files:
            content = head_content_from_patch(changed.patch, changed.blob_sha)
            if content is None or len(content) > MAX_FILE_BYTES:
                rest.append(changed)
            elif _write(into, relative := safe_relative(changed.path), content,
                        self.source_expected):
                written.append(str(relative))
        return written, rest

    def write_blobs(self, files: list[ChangedFile], into: Path) -> list[str]:
        """Write each file's head content under ``into``; returns the paths written."""
        from fortify_github.github.errors import NotFound

        written = []
        for changed in files:
            relative = safe_relative(changed.path)
            if not changed.blob_sha:
                integrity.report(str(relative), Reason.FETCH_FAILED)
                continue
            self.before_request()
            try:
                blob = self.client.get_blob(self.owner, self.repo, changed.blob_sha)
            except NotFound:
                integrity.report(str(relative), Reason.FETCH_FAILED)
                continue
            if blob.get("size", 0) > MAX_FILE_BYTES:
                logger.info("not scanning %s: %d bytes", changed.path, blob["size"])
                integrity.report(str(relative), Reason.TOO_LARGE)
                continue
            content = (base64.b64decode(blob.get("content") or "")
                       if blob.get("encoding") == "base64"
                       else str(blob.get("content", "")).encode())
            if _write(into, relative, content, self.source_expected):
                written.append(str(relative))
        return written

    def write_tarball(self, ref: str, into: Path, *,
                      only: Collection[str] | None = None) -> list[str]:
        """Download and unpack the repository at ``ref`` (just ``only``'s paths when given),
        dropping GitHub's top directory."""
        with tempfile.TemporaryDirectory(prefix="fortify-tar-") as scratch:
            archive = Path(scratch) / "repo.tar.gz"
            self.before_request()
            self.client.download_tarball(self.owner, self.repo, ref, archive)
            unpacked = unpack_tarball(archive, into, only=only, wanted=self.wanted,
                                      source_expected=self.source_expected)
        written, self.archive_files = unpacked.written, unpacked.files
        for missing in sorted(set(only or ()) - set(written)):
            if (relative := repo_relative(missing)) is not None and \
                    relative not in integrity_paths():
                integrity.report(relative, Reason.FETCH_FAILED)
        return written


def integrity_paths() -> set[str]:
    """Paths already reported as gaps in the current scan."""
    gaps = integrity.current()
    return gaps.paths() if gaps is not None else set()


def _write(into: Path, relative: PurePosixPath, content: bytes,
           source_expected: Callable[[str], bool] | None = None) -> bool:
    """Write a wanted file; binary content is not fed to scanners, and is a gap where a
    source-code engine expected text."""
    if integrity.is_binary(content):
        if source_expected is None or source_expected(str(relative)):
            integrity.report(str(relative), Reason.BINARY)
        return False
    target = into / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return True


class Unpacked(NamedTuple):
    """What :func:`unpack_tarball` wrote, and how many regular files the archive held."""

    written: list[str]
    files: int


def extract_tarball(archive: Path, into: Path, *, only: Collection[str] | None = None,
                    wanted: Callable[[str], bool] | None = None,
                    source_expected: Callable[[str], bool] | None = None) -> list[str]:
    """The paths :func:`unpack_tarball` wrote."""
    return unpack_tarball(archive, into, only=only, wanted=wanted,
                          source_expected=source_expected).written


def unpack_tarball(archive: Path, into: Path, *, only: Collection[str] | None = None,
                   wanted: Callable[[str], bool] | None = None,
                   source_expected: Callable[[str], bool] | None = None) -> Unpacked:
    """Unpack regular files only, refusing links and paths that leave ``into``.

    ``only``: the paths to keep (a PR's changed files); ``wanted``: whether an engine reads
    a path. Wanted files too large or binary are reported as gaps.
    """
    keep = None if only is None else {repo_relative(path) for path in only}
    skippable = None if keep is None else kept_paths_skippable(keep)
    written = []
    dropped = 0

    def dropping(name: str) -> bool:
        nonlocal dropped
        drop = skippable is not None and skippable(name)
        dropped += drop
        return drop

    # A PR's archive: most members are other files of the repository, dropped before tarfile
    # reads them when the archive allows it (``checks.archive_filter``).
    filtered = None if skippable is None else kept_members(archive, dropping)
    if filtered is None:
        dropped = 0  # the filter gave up part way: tarfile reads every member again
    files = 0
    with (filtered if filtered is not None else contextlib.nullcontext()), \
            (tarfile.open(archive, "r:gz") if filtered is None
             else tarfile.open(fileobj=filtered, mode="r:")) as tar:
        for member in tar:
            if not member.isfile():
                continue
            files += 1
            if skippable is not None and skippable(member.name):
                continue
            parts = PurePosixPath(member.name).parts[1:]  # strip "{owner}-{repo}-{sha}/"
            if not parts:
                continue
            relative = safe_relative(str(PurePosixPath(*parts)))
            name = str(relative)
            if (keep is not None and name not in keep) or (wanted and not wanted(name)):
                continue
            if member.size > MAX_FILE_BYTES:
                integrity.report(name, Reason.TOO_LARGE)
                continue
            source = tar.extractfile(member)
            if source is None:
                continue
            if _write(into, relative, source.read(), source_expected):
                written.append(name)
    return Unpacked(written, dropped + files)
