"""Require Fortify's check in branch protection without ever losing a team's own rules.

GitHub's PUT on branch protection replaces everything, so we only PUT when a branch has no
protection, or none of the status-check kind; otherwise we PATCH the required status checks
alone, adding (or removing) just our check, pinned to our App.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from fortify_github.github import errors
from installations.models import Installation, InstallationMembership, Repository
from installations.permissions import LEVELS, warning_for

logger = logging.getLogger(__name__)

CHECK_NAME = "Fortify Security Scan"
NOT_PROTECTED = "Branch not protected"


@dataclass(frozen=True)
class ProtectionDefaults:
    """What a branch with no protection at all gets (the design's defaults)."""

    required_approving_review_count: int = 1
    dismiss_stale_reviews: bool = True
    strict: bool = True
    enforce_admins: bool = False
    allow_force_pushes: bool = False
    allow_deletions: bool = False


@dataclass
class ProtectionOutcome:
    status: str
    reason: str = ""
    changed: bool = False
    details: dict[str, Any] = field(default_factory=dict)


class NoCredentials(Exception):
    """Neither the App nor a linked admin may change this repository's branch protection."""


def our_check() -> dict[str, Any]:
    return {"context": CHECK_NAME, "app_id": int(settings.GITHUB_APP_ID)}


def _client_for(repository: Repository):
    """The installation token when it has administration:write, else a linked admin's token."""
    from fortify_github.github import installation_client, user_client

    installation: Installation | None = repository.installation
    if installation is None:
        raise NoCredentials("The repository is not covered by an installation of the App.")
    if LEVELS.get(installation.permissions.get("administration", ""), 0) >= LEVELS["write"]:
        return installation_client(installation.installation_id)
    from accounts.services import user_access_token

    admins = InstallationMembership.objects.filter(
        installation=installation,
        role__in=[InstallationMembership.Role.OWNER, InstallationMembership.Role.ADMIN],
    ).select_related("user").order_by("-is_primary_contact", "created_at")
    for membership in admins:
        token = user_access_token(membership.user)
        if token:
            return user_client(token)
    raise NoCredentials(warning_for("branch_protection", ["administration:write"])
                        + " Or link a repository admin's GitHub account to Fortify.")


ANY_SOURCE = -1  # GitHub: "Pass -1 to explicitly allow any app to set the status."


def _checks_from(required: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The required checks as GitHub lists them, in the shape its PATCH accepts back.

    A check any source may report (``app_id`` null, or an old-style ``contexts`` entry) is
    sent back with -1: omitting ``app_id`` would make GitHub pin it to whichever App last
    reported it, changing a rule that is not ours.
    """
    checks = [{"context": check["context"],
               "app_id": ANY_SOURCE if check.get("app_id") is None else check["app_id"]}
              for check in required.get("checks") or []]
    listed = {check["context"] for check in checks}
    checks += [{"context": context, "app_id": ANY_SOURCE}
               for context in required.get("contexts") or [] if context not in listed]
    return checks


def _enabled(section: Any) -> bool:
    return bool(section and section.get("enabled"))


def put_body_from(protection: Mapping[str, Any], checks: list[dict[str, Any]],
                  strict: bool) -> dict[str, Any]:
    """Turn GitHub's GET shape into an equivalent PUT body, with the given status checks."""
    reviews = protection.get("required_pull_request_reviews")
    reviews_body = None
    if reviews:
        reviews_body = {
            "dismiss_stale_reviews": bool(reviews.get("dismiss_stale_reviews")),
            "require_code_owner_reviews": bool(reviews.get("require_code_owner_reviews")),
            "required_approving_review_count": reviews.get("required_approving_review_count", 1),
            "require_last_push_approval": bool(reviews.get("require_last_push_approval")),
        }
        for key in ("dismissal_restrictions", "bypass_pull_request_allowances"):
            if reviews.get(key):
                reviews_body[key] = _actors(reviews[key])
    restrictions = protection.get("restrictions")
    return {
        # GitHub's schema still requires the deprecated ``contexts`` beside ``checks``.
        "required_status_checks": {"strict": strict, "contexts": [], "checks": checks},
        "enforce_admins": _enabled(protection.get("enforce_admins")),
        "required_pull_request_reviews": reviews_body,
        "restrictions": _actors(restrictions) if restrictions else None,
        "required_linear_history": _enabled(protection.get("required_linear_history")),
        "allow_force_pushes": _enabled(protection.get("allow_force_pushes")),
        "allow_deletions": _enabled(protection.get("allow_deletions")),
        "block_creations": _enabled(protection.get("block_creations")),
        "required_conversation_resolution": _enabled(
            protection.get("required_conversation_resolution")),
        "lock_branch": _enabled(protection.get("lock_branch")),
        "allow_fork_syncing": _enabled(protection.get("allow_fork_syncing")),
    }


def _actors(section: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        "users": [user["login"] for user in section.get("users") or []],
        "teams": [team["slug"] for team in section.get("teams") or []],
        "apps": [app["slug"] for app in section.get("apps") or []],
    }


def default_protection_body(defaults: ProtectionDefaults) -> dict[str, Any]:
    return {
        "required_status_checks": {"strict": defaults.strict, "contexts": [],
                                   "checks": [our_check()]},
        "enforce_admins": defaults.enforce_admins,
        "required_pull_request_reviews": {
            "dismiss_stale_reviews": defaults.dismiss_stale_reviews,
            "required_approving_review_count": defaults.required_approving_review_count,
        },
        "restrictions": None,
        "allow_force_pushes": defaults.allow_force_pushes,
        "allow_deletions": defaults.allow_deletions,
    }


def _is_not_protected(error: errors.NotFound) -> bool:
    return NOT_PROTECTED.lower() in (error.message or "").lower()


def _record(repository: Repository, outcome: ProtectionOutcome, branch: str) -> \
        ProtectionOutcome:
    repository.branch_protection_status = outcome.status
    repository.branch_protection_reason = outcome.reason
    repository.branch_protection_branch = branch
    repository.branch_protection_updated_at = timezone.now()
    repository.save(update_fields=["branch_protection_status", "branch_protection_reason",
                                   "branch_protection_branch", "branch_protection_updated_at",
                                   "updated_at"])
    return outcome


def _failure_reason(error: errors.GitHubError) -> str:
    if isinstance(error, errors.NotFound):
        # GitHub answers 404 both for a missing branch and for a missing permission.
        return ("GitHub answered 404: the branch does not exist, or the App needs "
                "administration:write on this repository (or a linked repository admin).")
    if isinstance(error, errors.PermissionDenied):
        return ("GitHub refused to change branch protection "
                f"(HTTP {error.status}): the App needs administration:write on this "
                "repository, or a repository admin must link their GitHub account.")
    if isinstance(error, errors.ValidationFailed):
        return "GitHub rejected the branch protection change as invalid (422)."
    return f"GitHub could not change branch protection ({type(error).__name__})."


def _change(repository: Repository, branch: str,
            change: Callable[[Any, str, str, str], ProtectionOutcome]) -> ProtectionOutcome:
    """Run ``change(client, owner, repo, branch)`` with the right credentials and record the
    outcome; GitHub refusing is recorded (never retried: retrying grants no permission),
    transient errors propagate so the caller's task can retry."""
    try:
        client = _client_for(repository)
    except NoCredentials as error:
        outcome = ProtectionOutcome(Repository.ProtectionStatus.FAILED, str(error))
        return _record(repository, outcome, branch)
    try:
        outcome = change(client, repository.owner, repository.name, branch)
    except errors.TransientGitHubError:
        raise
    except errors.GitHubError as error:
        logger.warning("branch protection for %s@%s failed: %s", repository.full_name, branch,
                       type(error).__name__)
        outcome = ProtectionOutcome(Repository.ProtectionStatus.FAILED, _failure_reason(error))
    return _record(repository, outcome, branch)


def protect_branch(repository: Repository, branch: str | None = None, *,
                   defaults: ProtectionDefaults | None = None) -> ProtectionOutcome:
    """Require our check on ``branch`` (default branch by default), keeping every other rule."""

    def add_our_check(client, owner: str, name: str, branch: str) -> ProtectionOutcome:
        enabled = Repository.ProtectionStatus.ENABLED
        try:
            protection = client.get_branch_protection(owner, name, branch)
        except errors.NotFound as error:
            if not _is_not_protected(error):
                raise
            body = default_protection_body(defaults or ProtectionDefaults())
            client.update_branch_protection(owner, name, branch, body)
            return ProtectionOutcome(enabled, changed=True, details={"created": True})
        required = protection.get("required_status_checks")
        if not required:
            body = put_body_from(protection, [our_check()], strict=False)
            client.update_branch_protection(owner, name, branch, body)
            return ProtectionOutcome(enabled, changed=True)
        checks = _checks_from(required)
        if our_check() in checks:
            return ProtectionOutcome(enabled)
        others = [check for check in checks if check["context"] != CHECK_NAME]
        client.update_required_status_checks(owner, name, branch, checks=[*others, our_check()])
        return ProtectionOutcome(enabled, changed=True)

    return _change(repository, branch or repository.default_branch, add_our_check)


def unprotect_branch(repository: Repository, branch: str | None = None) -> ProtectionOutcome:
    """Take only our check out of the required status checks; every other rule stays."""

    def remove_our_check(client, owner: str, name: str, branch: str) -> ProtectionOutcome:
        removed = Repository.ProtectionStatus.REMOVED
        try:
            required = client.get_required_status_checks(owner, name, branch)
        except errors.NotFound as error:
            if _is_not_protected(error) or "not enabled" in (error.message or "").lower():
                return ProtectionOutcome(removed)  # nothing required, so not our check
            raise  # a hidden permission problem (GitHub's 404) is reported as such
        checks = _checks_from(required)
        kept = [check for check in checks if check["context"] != CHECK_NAME]
        if len(kept) == len(checks):
            return ProtectionOutcome(removed)
        client.update_required_status_checks(owner, name, branch, checks=kept)
        return ProtectionOutcome(removed, changed=True)

    return _change(repository,
                   branch or repository.branch_protection_branch or repository.default_branch,
                   remove_our_check)
