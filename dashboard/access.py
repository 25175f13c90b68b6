"""The door to every dashboard page: signed in, memberships re-checked when due."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from installations.access import memberships_recheck_if_due


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous people go to sign-in; signed-in people have their GitHub access re-checked
    (at most every ``FORTIFY_MEMBERSHIP_RECHECK_SECONDS``) before the view reads through
    ``installations.access``, which answers 404 for anything outside their installations."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        memberships_recheck_if_due(request.user)
        return view(request, *args, **kwargs)

    return wrapper
