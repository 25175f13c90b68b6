"""What runs once an onboarding install is linked: branch protection, and the opt-in PR."""

from __future__ import annotations

import logging

from installations.branch_protection import NoCredentials, protect_branch
from installations.models import Repository
from onboarding.models import InstallRequest

logger = logging.getLogger(__name__)


def after_install(install_request_pk: int) -> str:
    request = InstallRequest.objects.select_related("repository", "installation").get(
        pk=install_request_pk)
    repository = request.repository
    if repository is None:
        return "no repository"
    try:
        outcome = protect_branch(repository)
    except NoCredentials as error:
        Repository.objects.filter(pk=repository.pk).update(
            branch_protection_status=Repository.ProtectionStatus.FAILED,
            branch_protection_reason=str(error))
        return "no credentials"
    if request.open_onboarding_pr:
        from onboarding.onboarding_pr import onboarding_pr_open

        onboarding_pr_open(request)
    return outcome.status
