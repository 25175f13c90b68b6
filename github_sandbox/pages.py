"""Registers the github.com pages (imported by `web` once its routes exist)."""

from __future__ import annotations

from . import app_registration, install_page, oauth, ui

__all__ = ["app_registration", "install_page", "oauth", "ui"]
