"""Who may read operational endpoints (``/metrics``, the worker round trip)."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def has_operator_token(request: HttpRequest) -> bool:
    """``Authorization: Bearer <METRICS_BEARER_TOKEN>``, compared in constant time."""
    expected = settings.METRICS_BEARER_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not given.startswith("Bearer "):
        return False
    return hmac.compare_digest(given.removeprefix("Bearer ").encode(), expected.encode())


def is_operator(request: HttpRequest) -> bool:
    """A signed-in staff user, or a client holding the operator bearer token."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff) or \
        has_operator_token(request)


def from_allowed_network(request: HttpRequest) -> bool:
    """The client address (``REMOTE_ADDR``: the proxy's, behind one) in
    ``METRICS_ALLOWED_NETWORKS``."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in settings.METRICS_ALLOWED_NETWORKS:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue  # reported by the system check fortify.E002
    return False


def may_read_metrics(request: HttpRequest) -> bool:
    return from_allowed_network(request) or is_operator(request)
