"""An install by someone with no Fortify account: a pending account and an invitation whose
signed, expiring, single-use link activates it through sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.invitations import invitation_send, invitation_token
from accounts.models import Invitation, User
from installations.models import InstallationMembership
from tests.support.sandbox import last_payload


@pytest.fixture
def pending(synced, deliver, django_capture_on_commit_callbacks):
    """``newbie`` installs the App on their own account; nobody of that name uses Fortify."""
    synced.state.create_user("newbie", name="New Bie", email="newbie@example.com")
    synced.state.create_installation("newbie", sender="newbie")
    with django_capture_on_commit_callbacks() as callbacks:
        event = deliver("installation", last_payload(synced, "installation", "created"))
    assert event.status == "completed", event.last_error
    assert len([c for c in callbacks if "send_invitation" in repr(c)]) <= 1
    return User.objects.get(github_login="newbie")


@pytest.mark.django_db
def test_an_install_without_an_account_creates_a_pending_account_and_an_invitation(
        client, pending):
    assert not pending.is_active and not pending.has_usable_password()
    membership = InstallationMembership.objects.get(user=pending)
    assert membership.role == "owner" and membership.is_primary_contact
    invitation = Invitation.objects.get(user=pending)
    assert invitation.installation == membership.installation
    assert invitation_send(invitation.pk)  # what the task does: email found on GitHub
    (message,) = mail.outbox
    assert message.to == ["newbie@example.com"]
    link = re.search(r"http://\S+(/auth/invitations/\S+/)", message.body)
    assert link and client.get(link.group(1)).status_code == 200  # the emailed link works
    assert not invitation_send(invitation.pk)  # sent once


@pytest.mark.django_db
def test_following_the_link_and_signing_in_activates_the_account(client, pending, sign_in):
    invitation = Invitation.objects.get(user=pending)
    page = client.get(f"/auth/invitations/{invitation_token(invitation)}/")
    assert page.status_code == 200 and "newbie" in page.content.decode()
    user = sign_in("newbie")
    assert user.pk == pending.pk and user.is_active
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert client.get("/onboarding/").status_code == 200
    reused = client.get(f"/auth/invitations/{invitation_token(invitation)}/")
    assert reused.status_code == 400 and "already used" in reused.content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, pending):
    invitation = Invitation.objects.get(user=pending)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/auth/invitations/{invitation_token(invitation)}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    pending.refresh_from_db()
    assert not pending.is_active


@pytest.mark.django_db
def test_a_link_past_its_signed_age_or_tampered_is_refused(client, pending, settings):
    invitation = Invitation.objects.get(user=pending)
    token = invitation_token(invitation)
    settings.INVITATION_MAX_AGE = -1
    response = client.get(f"/auth/invitations/{token}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    settings.INVITATION_MAX_AGE = 3600
    response = client.get(f"/auth/invitations/{token[:-3]}abc/")
    assert response.status_code == 400 and "not valid" in response.content.decode()


@pytest.mark.django_db
def test_an_installer_who_already_signed_in_gets_a_membership_not_an_invitation(
        synced, deliver, sign_in):
    user = sign_in("octocat")
    synced.state.create_org("acme-corp", admins=("octocat",))
    synced.state.create_installation("acme-corp", sender="octocat")
    event = deliver("installation", last_payload(synced, "installation", "created"))
    assert event.status == "completed"
    membership = InstallationMembership.objects.get(user=user,
                                                    installation__account_login="acme-corp")
    assert membership.role == "admin" and membership.is_primary_contact
    assert not Invitation.objects.exists()
