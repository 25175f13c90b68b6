"""People who use Fortify, and who they are on GitHub."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A Fortify user; linked to a GitHub account by its stable numeric id, never by login."""

    github_id = models.PositiveBigIntegerField(
        unique=True, null=True, blank=True,
        help_text="GitHub's numeric user id: stable across renames, the key for linking.",
    )
    github_login = models.CharField(
        max_length=39, blank=True, db_index=True,
        help_text="GitHub login as last seen; it can change, so it is never used as a key.",
    )
    avatar_url = models.URLField(blank=True, help_text="GitHub avatar, for display only.")

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.github_login or self.username
