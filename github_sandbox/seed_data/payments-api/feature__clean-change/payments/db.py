"""Storage for payments (SQLite keeps the demo self-contained)."""
import sqlite3

DATABASE = "payments.db"


def connect(path=DATABASE):
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def create_schema(connection):
    connection.execute(
        "CREATE TABLE IF NOT EXISTS payments ("
        " id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount_cents INTEGER NOT NULL,"
        " currency TEXT NOT NULL DEFAULT 'EUR', created_at TEXT DEFAULT CURRENT_TIMESTAMP)"
    )


def record_payment(connection, customer, amount_cents, currency="EUR"):
    cursor = connection.cursor()
    cursor.execute(
        "INSERT INTO payments (customer, amount_cents, currency) VALUES (?, ?, ?)",
        (customer, amount_cents, currency),
    )
    connection.commit()
    return cursor.lastrowid


def get_payment(connection, payment_id):
    cursor = connection.cursor()
    cursor.execute("SELECT * FROM payments WHERE id = ?", (payment_id,))
    return cursor.fetchone()


def total_for_customer(connection, customer):
    """Sum of a customer's payments, in cents."""
    cursor = connection.cursor()
    cursor.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE customer = ?", (customer,)
    )
    return cursor.fetchone()[0]
