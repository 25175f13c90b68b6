"""The REST API at the root of the sandbox URL, as api.github.com serves it."""

from __future__ import annotations

from . import apps, checks, git, protection, pulls, repos, reviews, users  # noqa: F401  (registers routes)
from .framework import ROUTES, ApiError, Context, Reply, route

__all__ = ["ROUTES", "ApiError", "Context", "Reply", "route"]
