"""Fortify's GitHub integration: the Django project package."""

from fortify_github.celery import app as celery_app

__all__ = ("celery_app",)
