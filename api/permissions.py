from __future__ import annotations

from rest_framework import permissions

from installations.access import can_manage


class ManagesInstallation(permissions.BasePermission):
    """Reading needs membership (the queryset sees to that); changing needs owner or admin."""

    message = "Only the installation's owners and admins may change this."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        installation = getattr(obj, "installation", obj)
        return installation is not None and can_manage(request.user, installation)
