"""The opt-in onboarding pull request: a commented ``.fortify.yml`` proposed on a branch,
never written to the default branch (as Renovate's onboarding PR does)."""

from __future__ import annotations

import logging

from fortify_github.github import errors, installation_client
from onboarding.models import InstallRequest

logger = logging.getLogger(__name__)
BRANCH = "fortify/onboarding"
CONFIG = """\
# Fortify configuration. Merging this pull request is your choice: Fortify works without it.
# Docs: every key is optional; the values below are the defaults.

# Findings at or above this severity make the "Fortify Security Scan" check fail.
# One of: CRITICAL, HIGH, MEDIUM, LOW, INFO
failure_threshold: HIGH

# What a pull request scan covers: pr_diff (changed lines) or full (whole repository).
scan_mode: pr_diff

# Paths never scanned (glob patterns).
exclude:
  # - "vendor/**"
  # - "**/testdata/**"
"""


def onboarding_pr_open(request: InstallRequest) -> str:
    """Open the PR (idempotent: an existing branch is reused); returns its URL or ""."""
    repository = request.repository
    installation = request.installation
    if repository is None or installation is None:
        return ""
    if request.onboarding_pr_url:
        return request.onboarding_pr_url  # a retried task: already opened
    client = installation_client(installation.installation_id)
    owner, name = repository.owner, repository.name
    try:
        base = client.get_ref(owner, name, f"heads/{repository.default_branch}")
        base_sha = base["object"]["sha"]
        try:
            client.get_ref(owner, name, f"heads/{BRANCH}")
        except errors.NotFound:
            base_commit = client.get_git_commit(owner, name, base_sha)
            blob = client.create_blob(owner, name, CONFIG)
            tree = client.create_tree(owner, name, [
                {"path": ".fortify.yml", "mode": "100644", "type": "blob", "sha": blob["sha"]}],
                base_tree=base_commit["tree"]["sha"])
            commit = client.create_commit(owner, name, message="Add Fortify configuration",
                                          tree=tree["sha"], parents=[base_sha])
            client.create_ref(owner, name, f"refs/heads/{BRANCH}", commit["sha"])
        pull = client.create_pull_request(
            owner, name, title="Configure Fortify", head=BRANCH,
            base=repository.default_branch,
            body=("This pull request adds a commented `.fortify.yml` with Fortify's defaults. "
                  "Fortify already scans your pull requests; merge this only if you want to "
                  "change its settings in the repository."))
    except errors.PermissionDenied:
        reason = "The App may not write to this repository (contents: write is needed)."
        InstallRequest.objects.filter(pk=request.pk).update(onboarding_pr_error=reason)
        return ""
    except errors.ValidationFailed:
        reason = "GitHub refused the pull request (one may already be open)."
        InstallRequest.objects.filter(pk=request.pk).update(onboarding_pr_error=reason)
        return ""
    InstallRequest.objects.filter(pk=request.pk).update(onboarding_pr_url=pull["html_url"])
    return str(pull["html_url"])
