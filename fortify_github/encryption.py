"""Re-encrypting every stored token under the first ``TOKEN_ENCRYPTION_KEY`` key.

Works on raw column values (ciphertext in, ciphertext out) with ``MultiFernet.rotate``, so
plaintext never passes through model instances, ``save()`` signals or ``auto_now`` fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models import Model

from fortify_github.fields import EncryptedTextField
from fortify_github.github import crypto

BATCH_SIZE = 500


@dataclass
class RotationCount:
    rows: int = 0
    values: int = 0
    undecryptable: int = 0


@dataclass
class RotationReport:
    dry_run: bool
    models: dict[str, RotationCount] = field(default_factory=dict)

    @property
    def undecryptable(self) -> int:
        return sum(count.undecryptable for count in self.models.values())


def encrypted_fields() -> Iterator[tuple[type[Model], list[EncryptedTextField]]]:
    """Every concrete model with ``EncryptedTextField`` columns, across installed apps."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        found = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if found:
            yield model, found


def rotate_encryption_keys(*, dry_run: bool = False) -> RotationReport:
    """Re-encrypt every non-empty encrypted value; with ``dry_run`` only check they decrypt."""
    report = RotationReport(dry_run=dry_run)
    for model, fields in encrypted_fields():
        label = model._meta.label
        report.models[label] = _rotate_model(model, fields, dry_run=dry_run)
    return report


def _rotate_model(model: type[Model], fields: list[EncryptedTextField], *,
                  dry_run: bool) -> RotationCount:
    count = RotationCount()
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    columns = [quote(f.column) for f in fields]
    select = f"SELECT {pk}, {', '.join(columns)} FROM {table} ORDER BY {pk}"  # noqa: S608
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(select)
        rows = cursor.fetchall()
        for row in rows:
            key, values = row[0], row[1:]
            updates: dict[str, str] = {}
            for column, value in zip(columns, values, strict=True):
                if not value:
                    continue
                try:
                    rotated = crypto.rotate(value)
                except crypto.TokenDecryptionError:
                    count.undecryptable += 1
                    continue
                updates[column] = rotated
                count.values += 1
            if updates:
                count.rows += 1
                if not dry_run:
                    assignments = ", ".join(f"{column} = %s" for column in updates)
                    cursor.execute(
                        f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                        [*updates.values(), key],
                    )
    return count
