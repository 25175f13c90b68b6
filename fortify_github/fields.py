"""Model fields shared by every app."""

from __future__ import annotations

from typing import Any

from django.db import models

from fortify_github.github import crypto


class EncryptedTextField(models.TextField):
    """Text stored as Fernet ciphertext, plaintext in Python.

    Any model may keep a token with it; ``manage.py rotate_encryption_key`` finds every such
    field. The ciphertext is randomised, so rows cannot be filtered by value, and its length
    has no limit (GitHub tokens have no fixed length).
    """

    description = "Text encrypted at rest with the TOKEN_ENCRYPTION_KEY keys"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)
