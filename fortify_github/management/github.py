"""What commands that talk to GitHub share: a clean refusal when no App is configured."""

from __future__ import annotations

from django.core.management.base import CommandError

from fortify_github.github.probe import github_configured


def require_github() -> None:
    """Stop a command before it starts when it could not reach GitHub as the App."""
    if not github_configured():
        raise CommandError(
            "GitHub is not configured: set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (or "
            "GITHUB_APP_PRIVATE_KEY_PATH). `manage.py check_config` lists every setting; "
            "`manage.py github_app_manifest` helps register an App.")
