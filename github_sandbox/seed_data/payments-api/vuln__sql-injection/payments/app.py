"""HTTP API of the payments service."""
import subprocess

from flask import Flask, abort, jsonify, request

from . import db
from .settings import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY

app = Flask(__name__)


@app.post("/payments")
def create_payment():
    body = request.get_json(force=True)
    connection = db.connect()
    payment_id = db.record_payment(connection, body["customer"], int(body["amount_cents"]))
    return jsonify({"id": payment_id}), 201


@app.get("/payments/<int:payment_id>")
def show_payment(payment_id):
    row = db.get_payment(db.connect(), payment_id)
    if row is None:
        abort(404)
    return jsonify(dict(row))


@app.get("/customers/<customer>/payments")
def customer_payments(customer):
    rows = db.find_payments_by_customer(db.connect(), customer)
    return jsonify([dict(row) for row in rows])


@app.post("/statements/export")
def export_statement():
    month = request.args.get("month", "latest")
    cmd = "tar czf /tmp/statement-%s.tgz /var/statements/%s" % (month, month)
    subprocess.call(cmd, shell=True)
    upload(f"/tmp/statement-{month}.tgz")
    return {"status": "exported"}


def upload(path):
    # pushed to S3 with the service account keys
    return (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, path)


@app.get("/health")
def health():
    return {"status": "ok"}
