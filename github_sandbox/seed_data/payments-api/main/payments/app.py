"""HTTP API of the payments service."""
from flask import Flask, abort, jsonify, request

from . import db

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


@app.get("/health")
def health():
    return {"status": "ok"}
