"""Tuition payments, student accounts and password resets (Flask)."""

import hashlib
import hmac
import os
import random
import secrets
import string
import time

import bcrypt
import requests
from Crypto.Cipher import AES, ARC4, DES
from Crypto.Util.Padding import pad
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Blueprint, abort, current_app, jsonify, make_response, redirect, request, session, url_for

from .models import Account, LibraryCard, Payment, ResetCode, db
from .notify import send_mail, send_sms

payments = Blueprint("payments", __name__)

# vuln: CWE-798
STRIPE_SECRET_KEY = "sk_live_51NxQ8rLkT3vW9pZc2Hs7Bd4Fg6Jm0Ya5Ue8Kq1Rt"
# safe: CWE-798
GATEWAY_WEBHOOK_SECRET = os.environ["BURSAR_GATEWAY_WEBHOOK_SECRET"].encode()
LEGACY_BANK_KEY = bytes.fromhex(os.environ.get("LEGACY_BANK_KEY", "00" * 16))
LEGACY_DES_KEY = bytes.fromhex(os.environ.get("LEGACY_DES_KEY", "00" * 8))
CARD_VAULT_KEY = bytes.fromhex(os.environ.get("CARD_VAULT_KEY", "00" * 32))
RECEIPT_KEY = os.environ.get("RECEIPT_FERNET_KEY", "")
PBKDF2_ROUNDS = 600_000
TEMP_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!@#$%^&*"


# ---------------------------------------------------------------- accounts

@payments.route("/accounts/register", methods=["POST"])
def register():
    form = request.form
    # vuln: CWE-328
    password_hash = hashlib.md5(form["password"].encode()).hexdigest()
    account = Account(email=form["email"], student_number=form["student_number"], password_hash=password_hash)
    db.session.add(account)
    db.session.commit()
    return jsonify({"id": account.id}), 201


@payments.route("/accounts/register/v2", methods=["POST"])
def register_v2():
    form = request.form
    # safe: CWE-328
    password_hash = bcrypt.hashpw(form["password"].encode(), bcrypt.gensalt(rounds=12)).decode()
    account = Account(email=form["email"], student_number=form["student_number"], password_hash=password_hash)
    db.session.add(account)
    db.session.commit()
    return jsonify({"id": account.id}), 201


def verify_legacy_password(account, password):
    # vuln: CWE-328
    candidate = hashlib.sha1((account.salt + password).encode("utf-8")).hexdigest()
    return hmac.compare_digest(candidate, account.password_hash)


def derive_password_hash(password, salt):
    # safe: CWE-328
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, PBKDF2_ROUNDS).hex()


@payments.route("/accounts/login", methods=["POST"])
def login():
    account = Account.query.filter_by(email=request.form["email"]).first()
    password = request.form["password"]
    if account is None:
        abort(401)
    if account.legacy_hash:
        ok = verify_legacy_password(account, password)
    else:
        ok = hmac.compare_digest(derive_password_hash(password, bytes.fromhex(account.salt)), account.password_hash)
    if not ok:
        abort(401)
    session.clear()
    # safe: CWE-501
    session["account_id"] = account.id
    sid = secrets.token_urlsafe(32)
    current_app.portal_sessions.store(sid, account.id)
    resp = make_response(redirect(url_for("payments.statement")))
    # vuln: CWE-1004
    resp.set_cookie("portal_session", sid, max_age=8 * 3600, secure=True, samesite="Lax")
    if request.form.get("remember"):
        remember = secrets.token_urlsafe(32)
        current_app.portal_sessions.remember(remember, account.id)
        # vuln: CWE-614
        resp.set_cookie("remember_token", remember, max_age=30 * 24 * 3600, httponly=True, samesite="Lax")
    return resp


@payments.route("/accounts/login/v2", methods=["POST"])
def login_v2():
    account = Account.query.filter_by(email=request.form["email"]).first_or_404()
    salt = bytes.fromhex(account.salt)
    if not hmac.compare_digest(derive_password_hash(request.form["password"], salt), account.password_hash):
        abort(401)
    session.clear()
    session["account_id"] = account.id
    sid = secrets.token_urlsafe(32)
    current_app.portal_sessions.store(sid, account.id)
    resp = make_response(redirect(url_for("payments.statement")))
    # safe: CWE-1004
    resp.set_cookie("portal_session", sid, max_age=8 * 3600, secure=True, httponly=True, samesite="Lax")
    if request.form.get("remember"):
        remember = secrets.token_urlsafe(32)
        current_app.portal_sessions.remember(remember, account.id)
        # safe: CWE-614
        resp.set_cookie("remember_token", remember, max_age=30 * 24 * 3600, secure=True, httponly=True, samesite="Strict")
    return resp


@payments.route("/accounts/theme", methods=["POST"])
def set_theme():
    theme = request.form.get("theme", "light")
    if theme not in ("light", "dark", "high-contrast"):
        theme = "light"
    resp = make_response("", 204)
    # safe: CWE-1004
    resp.set_cookie("ui_theme", theme, max_age=365 * 24 * 3600, secure=True, httponly=False, samesite="Lax")
    return resp


@payments.route("/accounts/session-legacy", methods=["POST"])
def legacy_session():
    account = Account.query.get_or_404(session.get("account_id"))
    # vuln: CWE-330
    sid = "%032x" % random.getrandbits(128)
    current_app.portal_sessions.store(sid, account.id)
    return jsonify({"session": sid})


# ---------------------------------------------------------- password reset

@payments.route("/accounts/reset", methods=["POST"])
def request_reset():
    account = Account.query.filter_by(email=request.form["email"]).first()
    if account:
        # vuln: CWE-330
        code = "".join(random.choices(string.digits, k=6))
        db.session.add(ResetCode(account_id=account.id, code=code, expires_at=time.time() + 900))
        db.session.commit()
        send_sms(account.phone, f"Your university portal reset code is {code}")
    return jsonify({"sent": True})


@payments.route("/accounts/reset/v2", methods=["POST"])
def request_reset_v2():
    account = Account.query.filter_by(email=request.form["email"]).first()
    if account:
        # safe: CWE-330
        code = f"{secrets.randbelow(10**6):06d}"
        db.session.add(ResetCode(account_id=account.id, code=code, expires_at=time.time() + 900))
        db.session.commit()
        send_sms(account.phone, f"Your university portal reset code is {code}")
    return jsonify({"sent": True})


@payments.route("/accounts/reset-link", methods=["POST"])
def request_reset_link():
    account = Account.query.filter_by(email=request.form["email"]).first()
    if account:
        # safe: CWE-330
        token = secrets.token_urlsafe(32)
        db.session.add(ResetCode(account_id=account.id, code=hashlib.sha256(token.encode()).hexdigest(), expires_at=time.time() + 3600))
        db.session.commit()
        send_mail(account.email, "Password reset", url_for("payments.reset_form", token=token, _external=True))
    return jsonify({"sent": True})


@payments.route("/accounts/reset/<token>")
def reset_form(token):
    return jsonify({"token_ok": ResetCode.query.filter_by(code=hashlib.sha256(token.encode()).hexdigest()).first() is not None})


@payments.route("/accounts/verify-email", methods=["POST"])
def send_verification():
    account = Account.query.get_or_404(session.get("account_id"))
    # vuln: CWE-330
    account.email_token = "".join(random.sample(string.ascii_letters + string.digits, 20))
    db.session.commit()
    send_mail(account.email, "Confirm your email", url_for("payments.statement", verify=account.email_token, _external=True))
    return jsonify({"sent": True})


@payments.route("/admin/accounts/<int:account_id>/temp-password", methods=["POST"])
def issue_temp_password(account_id):
    account = Account.query.get_or_404(account_id)
    # vuln: CWE-330
    temp_password = "".join(random.choice(TEMP_PASSWORD_ALPHABET) for _ in range(12))
    salt = os.urandom(16)
    account.salt, account.password_hash = salt.hex(), derive_password_hash(temp_password, salt)
    db.session.commit()
    send_mail(account.email, "Temporary password", temp_password)
    return jsonify({"issued": True})


@payments.route("/admin/accounts/<int:account_id>/temp-password/v2", methods=["POST"])
def issue_temp_password_v2(account_id):
    account = Account.query.get_or_404(account_id)
    # safe: CWE-330
    temp_password = "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(16))
    salt = os.urandom(16)
    account.salt, account.password_hash = salt.hex(), derive_password_hash(temp_password, salt)
    db.session.commit()
    send_mail(account.email, "Temporary password", temp_password)
    return jsonify({"issued": True})


@payments.route("/library/pin", methods=["POST"])
def set_library_pin():
    card = LibraryCard.query.filter_by(account_id=session["account_id"]).first_or_404()
    # vuln: CWE-328
    card.pin_hash = hashlib.new("sha1", request.form["pin"].encode()).hexdigest()
    db.session.commit()
    return jsonify({"updated": True})


# ---------------------------------------------------------------- payments

@payments.route("/payments/checkout", methods=["POST"])
def checkout():
    # vuln: CWE-501
    session["payer_account"] = request.args.get("account")
    session["amount_cents"] = int(request.form["amount_cents"])
    return redirect(url_for("payments.confirm"))


@payments.route("/payments/confirm")
def confirm():
    return jsonify({"payer": session.get("payer_account"), "amount_cents": session.get("amount_cents")})


@payments.route("/payments/callback", methods=["POST"])
def gateway_callback():
    payload = request.get_data(as_text=True)
    # vuln: CWE-328
    expected = hashlib.md5((payload + GATEWAY_WEBHOOK_SECRET.decode()).encode()).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Bursar-Signature", "")):
        abort(400)
    Payment.record_from_gateway(payload)
    return "", 204


@payments.route("/payments/callback/v2", methods=["POST"])
def gateway_callback_v2():
    payload = request.get_data()
    # safe: CWE-328
    expected = hmac.new(GATEWAY_WEBHOOK_SECRET, payload, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Bursar-Signature", "")):
        abort(400)
    Payment.record_from_gateway(payload.decode())
    return "", 204


@payments.route("/payments/<int:payment_id>/receipt")
def receipt(payment_id):
    payment = Payment.query.get_or_404(payment_id)
    pdf = payment.render_receipt_pdf()
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    # safe: CWE-328
    resp.headers["X-Content-SHA256"] = hashlib.sha256(pdf).hexdigest()
    # safe: CWE-328
    resp.set_etag(hashlib.md5(pdf, usedforsecurity=False).hexdigest())
    return resp


def encrypt_card_for_bank(card_number):
    # vuln: CWE-327
    cipher = AES.new(LEGACY_BANK_KEY, AES.MODE_ECB)
    return cipher.encrypt(pad(card_number.encode(), AES.block_size))


def encrypt_account_number(account_number):
    # vuln: CWE-327
    cipher = DES.new(LEGACY_DES_KEY, DES.MODE_CBC, iv=os.urandom(8))
    return cipher.iv + cipher.encrypt(pad(account_number.encode(), DES.block_size))


def obfuscate_bursar_export(blob):
    # vuln: CWE-327
    return ARC4.new(LEGACY_BANK_KEY).encrypt(blob)


def encrypt_card_for_vault(card_number):
    nonce = os.urandom(12)
    # safe: CWE-327
    return nonce + AESGCM(CARD_VAULT_KEY).encrypt(nonce, card_number.encode(), b"card-vault")


def encrypt_bank_details(iban):
    # safe: CWE-327
    cipher = AES.new(CARD_VAULT_KEY, AES.MODE_GCM)
    ciphertext, tag = cipher.encrypt_and_digest(iban.encode())
    return cipher.nonce + tag + ciphertext


def seal_receipt_reference(reference):
    # safe: CWE-327
    return Fernet(RECEIPT_KEY).encrypt(reference.encode())


def post_to_gateway(path, body, attempts=4):
    for attempt in range(attempts):
        resp = requests.post(f"https://api.stripe.com/v1/{path}", data=body, auth=(STRIPE_SECRET_KEY, ""), timeout=15)
        if resp.status_code < 500:
            return resp
        # safe: CWE-330
        time.sleep((2 ** attempt) + random.uniform(0, 0.5))
    return resp


@payments.route("/payments/statement")
def statement():
    account = Account.query.get_or_404(session.get("account_id"))
    return jsonify({"balance_cents": account.balance_cents})
