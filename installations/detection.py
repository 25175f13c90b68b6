"""Languages and frameworks of a repository, for the setup wizard.

Languages come from GitHub's languages API; frameworks from the manifest files at the root
of the default branch (its git tree, then the manifests' blobs: dependency names only, no code
is run). Runs in a task: it calls GitHub.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re

from django.utils import timezone

from installations.models import Installation, Repository

logger = logging.getLogger(__name__)

# manifest file → {framework: pattern matched against the file's text}
MANIFEST_FRAMEWORKS: dict[str, dict[str, str]] = {
    "requirements.txt": {"Django": r"(?im)^django\b", "Flask": r"(?im)^flask\b",
                         "FastAPI": r"(?im)^fastapi\b"},
    "pyproject.toml": {"Django": r"(?i)[\"']django\b", "Flask": r"(?i)[\"']flask\b",
                       "FastAPI": r"(?i)[\"']fastapi\b"},
    "Pipfile": {"Django": r"(?im)^django\b", "Flask": r"(?im)^flask\b",
                "FastAPI": r"(?im)^fastapi\b"},
    "package.json": {"Express": r"\"express\"\s*:", "React": r"\"react\"\s*:",
                     "Next.js": r"\"next\"\s*:", "Vue": r"\"vue\"\s*:",
                     "Angular": r"\"@angular/core\"\s*:", "NestJS": r"\"@nestjs/core\"\s*:"},
    "go.mod": {"Gin": r"github\.com/gin-gonic/gin", "Echo": r"github\.com/labstack/echo",
               "Fiber": r"github\.com/gofiber/fiber"},
    "pom.xml": {"Spring": r"org\.springframework"},
    "build.gradle": {"Spring": r"org\.springframework"},
    "Gemfile": {"Rails": r"(?m)^\s*gem\s+[\"']rails[\"']"},
    "composer.json": {"Laravel": r"\"laravel/framework\"", "Symfony": r"\"symfony/"},
}
MAX_MANIFEST_BYTES = 512 * 1024


def frameworks_in(manifests: dict[str, str]) -> list[str]:
    """Framework names found in manifest texts, sorted."""
    found = set()
    for name, text in manifests.items():
        for framework, pattern in MANIFEST_FRAMEWORKS.get(name, {}).items():
            if re.search(pattern, text):
                found.add(framework)
    return sorted(found)


def _decode(item: dict) -> str | None:
    if item.get("encoding") != "base64" or not item.get("content"):
        return None
    try:
        return base64.b64decode(item["content"]).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def repository_detect(repository: Repository) -> Repository:
    """Ask GitHub for the repository's languages and root manifests; store what they say.

    Raises ``GitHubError`` (an empty repository has no tree: 404/409).
    """
    from fortify_github.github import installation_client

    installation = repository.installation
    if installation is None:
        raise ValueError(f"{repository} belongs to no installation")
    client = installation_client(installation.installation_id)
    owner, name = repository.owner, repository.name
    languages = client.get_repository_languages(owner, name)
    root = client.get_tree(owner, name, repository.default_branch)  # the root, not recursive
    manifests: dict[str, str] = {}
    for entry in root.get("tree") or []:
        if (entry.get("type") == "blob" and entry.get("path") in MANIFEST_FRAMEWORKS
                and (entry.get("size") or 0) <= MAX_MANIFEST_BYTES):
            text = _decode(client.get_blob(owner, name, entry["sha"]))
            if text is not None:
                manifests[entry["path"]] = text
    repository.languages = dict(languages)
    repository.frameworks = frameworks_in(manifests)
    repository.detected_at = timezone.now()
    repository.save(update_fields=["languages", "frameworks", "detected_at", "updated_at"])
    return repository


def installation_detect(installation: Installation) -> int:
    """Detect every installed repository not yet detected; one failure does not stop the rest."""
    from fortify_github.github.errors import GitHubError

    done = 0
    for repository in installation.repositories.filter(is_installed=True,
                                                       detected_at__isnull=True):
        try:
            repository_detect(repository)
            done += 1
        except GitHubError as error:
            logger.warning("detecting %s failed: %s", repository, type(error).__name__)
            repository.detected_at = timezone.now()  # shown as "not detected", not retried
            repository.save(update_fields=["detected_at", "updated_at"])
    return done
