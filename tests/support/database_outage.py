"""A real outage of the test database, as the processes using it see one.

PostgreSQL is told to refuse new connections to the test database, and every open connection
to it is ended, except this test process's own (so the test can keep watching the rows):
queries fail with ``OperationalError``/``InterfaceError`` and reconnecting fails too, exactly
as while the server restarts. Unlike stopping the server, the outage ends the moment the
block does, and leaves the rest of the suite's database untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from psycopg import sql


def _admin() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(dbname="postgres", host=settings["HOST"] or "127.0.0.1",
                           port=settings["PORT"] or 5432, user=settings["USER"] or "postgres",
                           password=settings["PASSWORD"] or None, autocommit=True)


@contextmanager
def database_outage() -> Iterator[None]:
    """Refuse and end every other connection to the test database until the block ends."""
    name = connection.settings_dict["NAME"]
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own = cursor.fetchone()[0]
    database = sql.Identifier(name)
    with _admin() as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(database))
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> %s", [name, own])
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
