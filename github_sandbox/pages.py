"""Registers the github.com pages (imported by `web` once its routes exist)."""

from __future__ import annotations

from . import install_page, oauth, ui

__all__ = ["install_page", "oauth", "ui"]
