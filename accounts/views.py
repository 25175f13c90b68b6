"""Sign-in, sign-out, the OAuth callback's refusals, and invitation links."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from social_core.exceptions import AuthCanceled, SocialAuthBaseException
from social_django.views import complete

from accounts.invitations import SESSION_KEY, InvitationRefused, invitation_check

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or "/"
    if target == "/":
        return "/onboarding/"  # signing in from the home page: go to the start page
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/onboarding/"


# social-auth's error codes, said for people.
REFUSALS = {
    "state_mismatch": "The answer from GitHub does not belong to a sign-in started in this "
                      "browser (its state does not match).",
    "missing_parameter": "The answer from GitHub did not carry this sign-in's state.",
    "session_context_missing": "The answer from GitHub does not belong to a sign-in started "
                               "in this browser (its state does not match).",
    "credential_rejected": "GitHub did not accept the sign-in code (it may have expired or "
                           "been used).",
    "http_error": "GitHub did not answer the sign-in; try again in a minute.",
}


@require_GET
def sign_in(request: HttpRequest) -> HttpResponse:
    """What signing in with GitHub shares, before the redirect to GitHub."""
    return render(request, "accounts/sign_in.html", {"next": _safe_next(request)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session (POST with CSRF: a link or image cannot sign anyone out)."""
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("/")


@never_cache
@csrf_exempt  # GitHub's redirect carries no CSRF token; the OAuth `state` does that job
def complete_github(request: HttpRequest, backend: str) -> HttpResponse:
    """social-auth's callback, with refusals (wrong or missing ``state``, a denied or
    expired code) answered by a page that says why, instead of an error."""
    try:
        return complete(request, backend)
    except SocialAuthBaseException as error:
        logger.info("sign-in refused: %s (%s)", type(error).__name__, error.code)
        reason = REFUSALS.get(error.code, "GitHub's answer could not be verified.")
        if isinstance(error, AuthCanceled):
            reason = "You cancelled the authorization on GitHub."
        return render(request, "accounts/sign_in_refused.html", {"reason": reason}, status=400)


@require_GET
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Check the link, remember it in the session, and send the invitee to sign in."""
    try:
        invitation = invitation_check(token)
    except InvitationRefused as refused:
        return render(request, "accounts/invitation_refused.html", {"reason": refused.reason},
                      status=400)
    request.session[SESSION_KEY] = invitation.pk
    return render(request, "accounts/invitation.html", {"invitation": invitation})
