"""Webhook handlers of the onboarding app: they write rows and enqueue, never call GitHub.

Registered after ``installations`` (app order), so the installation row already exists.
"""

from __future__ import annotations

from installations.models import Installation
from onboarding import memberships
from webhooks.models import WebhookEvent
from webhooks.payloads import require
from webhooks.routing import router


@router.on("installation", "created")
def link_installer(event: WebhookEvent) -> None:
    """The installer gets a membership, or a pending account and an invitation email."""
    data = require(event.payload, "installation")
    installation = Installation.objects.filter(installation_id=data["id"]).first()
    if installation is not None:
        memberships.installer_link(installation, event.payload.get("sender") or {})


@router.on("github_app_authorization", "revoked")
def drop_memberships_of_revoked_user(event: WebhookEvent) -> None:
    """``{"action": "revoked", "sender": {"id": ...}}``: access can no longer be verified."""
    memberships.memberships_revoke_user(require(event.payload, "sender.id"))


@router.on("organization", "member_removed")
def drop_memberships_of_removed_member(event: WebhookEvent) -> None:
    """Sent only if the App subscribes to ``organization`` (members:read)."""
    memberships.memberships_remove_org_member(
        organization_id=require(event.payload, "organization.id"),
        github_user_id=require(event.payload, "membership.user.id"))
