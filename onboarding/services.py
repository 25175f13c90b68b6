"""The onboarding flow: free scan → install request → verified setup URL → protection.

Nothing the setup URL's query string says is trusted: the ``state`` must be one we signed for
this signed-in user, unused and unexpired, and GitHub itself (``GET /user/installations``
with the user's token) must list the installation for this user.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_access_token
from checks.models import ScanJob
from checks.services import free_scan
from fortify_github.github import errors
from installations import services as installation_services
from installations.models import Installation, InstallationMembership, Repository
from onboarding.memberships import membership_grant
from onboarding.models import InstallRequest

logger = logging.getLogger(__name__)
STATE_SALT = "fortify.install-request"
FULL_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")


class OnboardingError(Exception):
    """A step refused; ``reason`` is written for the person, and nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _user_client(user: User):
    from fortify_github.github import user_client

    token = user_access_token(user)
    if token is None:
        raise OnboardingError("Your GitHub authorization has expired or was revoked: sign "
                              "in with GitHub again.")
    return user_client(token)


# --- free scan ----------------------------------------------------------------------------

def scannable_repositories(user: User) -> list[Repository]:
    """Repositories of installations the user is a member of: the picker's choices."""
    return list(Repository.objects.scannable().filter(
        installation__memberships__user=user).order_by("full_name").distinct())


def free_scan_start(user: User, full_name: str) -> ScanJob:
    """Scan ``owner/name`` in full mode: one of the user's repositories or a public one.

    GitHub answers with the user's own token, so a repository they cannot read is refused
    as GitHub refuses it; nothing about it is stored.
    """
    full_name = (full_name or "").strip().strip("/")
    if full_name.startswith(("https://", "http://")):
        full_name = "/".join(full_name.split("/")[3:5])
    if not FULL_NAME.match(full_name):
        raise OnboardingError("Enter a repository as owner/name, for example "
                              "octocat/hello-world.")
    owner, name = full_name.split("/", 1)
    client = _user_client(user)
    try:
        data = client.get_repository(owner, name)
        branch = client.get_branch(owner, name, data["default_branch"])
    except errors.NotFound as error:
        raise OnboardingError(f"GitHub has no repository {full_name} that your account can "
                              "read.") from error
    except errors.PermissionDenied as error:
        raise OnboardingError(f"GitHub does not let your account read {full_name}.") from error
    except errors.TransientGitHubError as error:
        raise OnboardingError("GitHub is not answering right now; try again in a minute."
                              ) from error
    if data.get("archived"):
        raise OnboardingError(f"{full_name} is archived; Fortify scans active repositories.")
    with transaction.atomic():
        repository = Repository.objects.filter(github_id=data["id"]).first()
        if repository is None:
            repository = Repository.objects.create(
                github_id=data["id"], full_name=data["full_name"], node_id=data.get("node_id", ""),
                private=bool(data.get("private")), default_branch=data["default_branch"],
                is_installed=False, enabled=False, last_synced_at=timezone.now())
        else:
            repository.full_name = data["full_name"]
            repository.default_branch = data["default_branch"]
            repository.private = bool(data.get("private"))
            repository.save(update_fields=["full_name", "default_branch", "private",
                                           "updated_at"])
        return free_scan(repository, requested_by=user, head_sha=branch["commit"]["sha"])


def scan_for_user(user: User, public_id: Any) -> ScanJob | None:
    """A free scan the user asked for, or of a repository they are a member for."""
    return ScanJob.objects.select_related("repository", "installation").filter(
        public_id=public_id, requested_by=user, trigger=ScanJob.Trigger.FREE_SCAN).first()


# --- install request ------------------------------------------------------------------------

@dataclass
class InstallPlan:
    request: InstallRequest
    redirect_url: str


def _state_for(request: InstallRequest) -> str:
    return signing.dumps({"r": request.pk, "n": request.nonce}, salt=STATE_SALT, compress=True)


def install_request_create(user: User, scan: ScanJob, *,
                           open_onboarding_pr: bool = False) -> InstallPlan:
    """Remember what the user asked for; send them to GitHub's install page with a state
    and the target account and repository pre-selected."""
    repository = scan.repository
    client = _user_client(user)
    try:
        data = client.get_repository(repository.owner, repository.name)
    except errors.GitHubError as error:
        raise OnboardingError("GitHub did not confirm the repository; try again.") from error
    owner = data.get("owner") or {}
    request = InstallRequest.objects.create(
        user=user, target_account_id=int(owner.get("id") or 0),
        target_account_login=str(owner.get("login") or repository.owner),
        repository=repository, scan=scan, open_onboarding_pr=open_onboarding_pr,
        nonce=secrets.token_urlsafe(24),
        expires_at=timezone.now() + timedelta(seconds=settings.INSTALL_REQUEST_MAX_AGE))
    query = urlencode([("state", _state_for(request)),
                       ("suggested_target_id", request.target_account_id),
                       ("repository_ids[]", repository.github_id)])
    url = (f"{settings.GITHUB_WEB_URL}/apps/{settings.GITHUB_APP_SLUG}/installations/new"
           f"?{query}")
    return InstallPlan(request=request, redirect_url=url)


def install_request_from_state(state: str) -> InstallRequest:
    """The install request a ``state`` we signed names (expired or forged ones refused)."""
    try:
        data = signing.loads(state, salt=STATE_SALT,
                             max_age=timedelta(seconds=settings.INSTALL_REQUEST_MAX_AGE))
    except signing.SignatureExpired as error:
        raise OnboardingError("This install link has expired. Start again from your scan "
                              "results.") from error
    except signing.BadSignature as error:
        raise OnboardingError("The state GitHub sent back is not one Fortify issued.") from error
    request = InstallRequest.objects.filter(pk=data.get("r"), nonce=data.get("n")).first()
    if request is None:
        raise OnboardingError("The state GitHub sent back is not one Fortify issued.")
    return request


def install_request_verify(state: str, user: User) -> InstallRequest:
    """The install request a ``state`` names, if it is this user's, unused and unexpired."""
    request = install_request_from_state(state)
    if request.user_id != user.pk:
        raise OnboardingError("This install was started by another Fortify account; sign in "
                              "as that account, or start your own from a scan.")
    if request.used_at is not None:
        raise OnboardingError("This install link was already used.")
    if request.expires_at <= timezone.now():
        raise OnboardingError("This install link has expired. Start again from your scan "
                              "results.")
    return request


def _consume(request: InstallRequest, **changes: Any) -> None:
    """Single use, even with two tabs racing: only the first update wins."""
    updated = InstallRequest.objects.filter(pk=request.pk, used_at__isnull=True).update(
        used_at=timezone.now(), **changes)
    if not updated:
        raise OnboardingError("This install link was already used.")
    request.refresh_from_db()


def _installation_visible_to(user: User, installation_id: int) -> dict[str, Any]:
    client = _user_client(user)
    try:
        for item in client.list_user_installations():
            if int(item["id"]) == installation_id:
                return dict(item)
    except errors.GitHubError as error:
        raise OnboardingError("GitHub did not confirm the installation right now; reload this "
                              "page in a minute.") from error
    raise OnboardingError(f"GitHub does not list installation {installation_id} among the "
                          "installations your account can access, so nothing was linked.")


def _installation_upsert(data: dict[str, Any]) -> Installation:
    """The ``installation.created`` webhook may be recording the same row this instant: if
    its insert wins, ours becomes an update."""
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            return installation_services.installation_upsert(
                data, setup_source=Installation.SetupSource.ONBOARDING)
    except IntegrityError:
        return installation_services.installation_upsert(
            data, setup_source=Installation.SetupSource.ONBOARDING)


@dataclass
class SetupOutcome:
    request: InstallRequest
    installation: Installation | None = None
    notes: list[str] = field(default_factory=list)


def setup_complete(*, user: User, state: str, installation_id: str,
                   setup_action: str) -> SetupOutcome:
    """The setup URL with a state: verify everything, then link, enable and protect."""
    request = install_request_verify(state, user)
    if setup_action == "request":
        _consume(request, status=InstallRequest.Status.AWAITING_APPROVAL)
        return SetupOutcome(request=request)
    if setup_action not in ("install", "update"):
        raise OnboardingError("GitHub sent an unexpected setup step; nothing was changed.")
    try:
        wanted = int(installation_id)
    except (TypeError, ValueError) as error:
        raise OnboardingError("GitHub's redirect carried no valid installation id; nothing "
                              "was linked.") from error
    data = _installation_visible_to(user, wanted)
    client = _user_client(user)
    try:
        repositories = list(client.list_user_installation_repositories(wanted))
    except errors.GitHubError as error:
        raise OnboardingError("GitHub did not list the installation's repositories right "
                              "now; reload this page in a minute.") from error
    with transaction.atomic():
        _consume(request)
        installation = _installation_upsert(data)
        for repo in repositories:
            installation_services.repository_upsert(installation, repo)
        role = (InstallationMembership.Role.OWNER if user.github_id == installation.account_id
                else InstallationMembership.Role.ADMIN)
        membership_grant(user=user, installation=installation, role=role,
                         primary_contact=True)
        InstallRequest.objects.filter(pk=request.pk).update(
            installation=installation, status=InstallRequest.Status.COMPLETED)
        request.refresh_from_db()
        repository = request.repository
        covered = repository is not None and any(r["id"] == repository.github_id
                                                 for r in repositories)
        if covered and repository is not None:
            repository.refresh_from_db()
            installation_services.repository_configure(repository, enabled=True)
            from onboarding.tasks import after_install_task

            transaction.on_commit(lambda: after_install_task.delay(request.pk))
    outcome = SetupOutcome(request=request, installation=installation)
    if repository is not None and not covered:
        outcome.notes.append(f"{repository.full_name} was not among the repositories you "
                             "gave the App access to, so it is not protected yet.")
    return outcome
