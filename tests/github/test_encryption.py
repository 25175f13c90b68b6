"""Tokens at rest are Fernet ciphertext; ``rotate_encryption_key`` moves every row to the
first key (issue 4, part 9)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import GitHubAuthorization, User
from fortify_github.encryption import encrypted_fields
from fortify_github.github import crypto

pytestmark = pytest.mark.django_db

ACCESS = "ghu_" + "A1b2C3d4" * 5
REFRESH = "ghr_" + "Z9y8X7w6" * 10
LONG = "ghs_" + "x" * 516  # tokens may be ~520 characters: no length is assumed


def _authorization(login: str, access: str = ACCESS, refresh: str = REFRESH,
                   github_user_id: int = 1) -> GitHubAuthorization:
    user = User.objects.create(username=login, github_login=login)
    return GitHubAuthorization.objects.create(
        user=user, github_user_id=github_user_id, access_token=access, refresh_token=refresh,
        expires_at=timezone.now() + timedelta(hours=8))


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM accounts_githubauthorization "
                       "WHERE id = %s", [pk])
        return cursor.fetchone()


def test_tokens_in_the_database_are_ciphertext() -> None:
    row = _authorization("mona", access=LONG)
    raw_access, raw_refresh = _raw(row.pk)
    assert LONG not in raw_access and REFRESH not in raw_refresh
    assert "ghs_" not in raw_access and "ghr_" not in raw_refresh
    assert raw_access.startswith("gAAAAA")  # Fernet's version byte
    reloaded = GitHubAuthorization.objects.get(pk=row.pk)
    assert (reloaded.access_token, reloaded.refresh_token) == (LONG, REFRESH)


def test_empty_values_stay_empty() -> None:
    row = _authorization("hubot", refresh="")
    assert _raw(row.pk)[1] == ""
    assert GitHubAuthorization.objects.get(pk=row.pk).refresh_token == ""


def test_every_encrypted_field_is_found() -> None:
    found = {model._meta.label: [f.name for f in fields] for model, fields in encrypted_fields()}
    assert found["accounts.GitHubAuthorization"] == ["access_token", "refresh_token"]


def test_rotation_moves_every_row_to_the_new_first_key(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    rows = [_authorization(f"user{i}", access=f"ghu_{i:04}" + "q" * 36, github_user_id=i)
            for i in range(5)]
    before = {row.pk: _raw(row.pk) for row in rows}

    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "accounts.GitHubAuthorization: re-encrypted 10 value(s) in 5 row(s)" in out.getvalue()

    settings.TOKEN_ENCRYPTION_KEYS = [new]  # the old key is gone
    new_only = Fernet(new.encode())
    for i, row in enumerate(rows):
        raw_access, raw_refresh = _raw(row.pk)
        assert raw_access != before[row.pk][0]
        assert new_only.decrypt(raw_access.encode()).decode() == f"ghu_{i:04}" + "q" * 36
        assert new_only.decrypt(raw_refresh.encode()).decode() == REFRESH
        assert GitHubAuthorization.objects.get(pk=row.pk).access_token.startswith("ghu_")


def test_dry_run_changes_nothing(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    row = _authorization("dry")
    before = _raw(row.pk)
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_encryption_key", "--dry-run", stdout=out)
    assert "would re-encrypt 2 value(s) in 1 row(s)" in out.getvalue()
    assert _raw(row.pk) == before


def test_values_under_an_unknown_key_are_reported_not_lost(settings) -> None:
    lost, current = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [lost]
    orphan = _authorization("orphan")
    settings.TOKEN_ENCRYPTION_KEYS = [current]
    _authorization("fine", github_user_id=2)
    before = _raw(orphan.pk)
    with pytest.raises(CommandError, match="2 stored value"):
        call_command("rotate_encryption_key", stdout=StringIO())
    assert _raw(orphan.pk) == before
    with pytest.raises(crypto.TokenDecryptionError):
        GitHubAuthorization.objects.get(pk=orphan.pk)
