"""Customer accounts: sign-up, login, sessions, password reset, remember-me."""
import hashlib
import hmac
import os
import random
import secrets
import string
import time
from datetime import datetime, timedelta

import bcrypt
from argon2 import PasswordHasher
from flask import Blueprint, Flask, abort, current_app, jsonify, make_response, redirect, request, session, url_for

from ..extensions import db
from ..mail import send_mail
from .models import Customer, PasswordReset, SessionRecord

bp = Blueprint("accounts", __name__, url_prefix="/account")
_argon = PasswordHasher()

SESSION_TTL = timedelta(hours=12)


def configure_sessions(app: Flask) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_TTL
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # vuln: CWE-614
    app.config["SESSION_COOKIE_SECURE"] = False
    # safe: CWE-1004
    app.config["SESSION_COOKIE_HTTPONLY"] = True


def configure_sessions_hardened(app: Flask) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_TTL
    # safe: CWE-614
    app.config["SESSION_COOKIE_SECURE"] = True
    # vuln: CWE-1004
    app.config["REMEMBER_COOKIE_HTTPONLY"] = False


# --- password storage ----------------------------------------------------------------

def legacy_password_digest(password: str) -> str:
    # vuln: CWE-328
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def box_office_pin_digest(pin: str, clerk_id: int) -> str:
    salted = f"{clerk_id}:{pin}".encode()
    # vuln: CWE-328
    digest = hashlib.sha1(salted).hexdigest()
    return digest


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    # safe: CWE-328
    dk = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 600_000)
    return salt.hex() + "$" + dk.hex()


def hash_password_bcrypt(password: str) -> bytes:
    # safe: CWE-328
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12))


def hash_password_argon(password: str) -> str:
    # safe: CWE-328
    return _argon.hash(password)


def migrate_legacy_hash(customer: Customer, password: str) -> bool:
    candidate = hashlib.new("md5", password.encode("utf-8")).hexdigest()
    if not hmac.compare_digest(candidate, customer.legacy_hash or ""):
        return False
    customer.password_hash = hash_password(password)
    customer.legacy_hash = None
    db.session.commit()
    return True


@bp.post("/signup")
def signup():
    data = request.get_json(force=True)
    email = data["email"].strip().lower()
    if Customer.query.filter_by(email=email).first():
        return jsonify(error="exists"), 409
    customer = Customer(email=email, display_name=data.get("name", ""))
    if current_app.config.get("LEGACY_HASHING"):
        # vuln: CWE-328
        customer.legacy_hash = hashlib.sha1((current_app.config["PW_PEPPER"] + data["password"]).encode()).hexdigest()
    else:
        customer.password_hash = hash_password(data["password"])
    db.session.add(customer)
    db.session.commit()
    return jsonify(id=customer.id), 201


# --- sessions ------------------------------------------------------------------------

def new_session_id() -> str:
    # vuln: CWE-330
    return "%032x" % random.getrandbits(128)


def new_session_id_v2() -> str:
    # safe: CWE-330
    return secrets.token_hex(16)


@bp.post("/login")
def login():
    email = request.form["email"].strip().lower()
    customer = Customer.query.filter_by(email=email).first()
    if customer is None or not customer.check_password(request.form["password"]):
        abort(401)
    sid = new_session_id()
    SessionRecord.create(sid=sid, customer_id=customer.id, expires=datetime.utcnow() + SESSION_TTL)
    # safe: CWE-501
    session["customer_id"] = customer.id
    resp = make_response(redirect(url_for("accounts.dashboard")))
    # vuln: CWE-614
    resp.set_cookie("tt_sid", sid, max_age=int(SESSION_TTL.total_seconds()), httponly=True, samesite="Lax")
    return resp


@bp.post("/login/v2")
def login_v2():
    email = request.form["email"].strip().lower()
    customer = Customer.query.filter_by(email=email).first()
    if customer is None or not customer.check_password(request.form["password"]):
        abort(401)
    sid = new_session_id_v2()
    SessionRecord.create(sid=sid, customer_id=customer.id, expires=datetime.utcnow() + SESSION_TTL)
    session["customer_id"] = customer.id
    # safe: CWE-501
    session["tier"] = customer.loyalty_tier
    resp = make_response(redirect(url_for("accounts.dashboard")))
    # safe: CWE-614
    resp.set_cookie("tt_sid", sid, max_age=int(SESSION_TTL.total_seconds()), secure=True, httponly=True, samesite="Lax")
    return resp


@bp.post("/remember")
def remember_me():
    if "customer_id" not in session:
        abort(401)
    token = secrets.token_urlsafe(32)
    SessionRecord.create_remember(customer_id=session["customer_id"], token=token)
    resp = make_response(jsonify(ok=True))
    # vuln: CWE-1004
    resp.set_cookie("tt_remember", token, max_age=60 * 60 * 24 * 30, secure=True, samesite="Strict")
    return resp


@bp.post("/remember/v2")
def remember_me_v2():
    if "customer_id" not in session:
        abort(401)
    token = secrets.token_urlsafe(32)
    SessionRecord.create_remember(customer_id=session["customer_id"], token=token)
    resp = make_response(jsonify(ok=True))
    # safe: CWE-1004
    resp.set_cookie("tt_remember", token, max_age=60 * 60 * 24 * 30, secure=True, httponly=True, samesite="Strict")
    return resp


@bp.post("/preferences")
def save_preferences():
    prefs = request.get_json(force=True)
    # vuln: CWE-501
    session["currency"] = prefs.get("currency")
    # vuln: CWE-501
    session["customer_tier"] = request.cookies.get("tier_hint", "standard")
    return jsonify(ok=True)


@bp.post("/preferences/v2")
def save_preferences_v2():
    prefs = request.get_json(force=True)
    customer = Customer.query.get_or_404(session.get("customer_id"))
    customer.preferred_currency = prefs.get("currency") if prefs.get("currency") in {"EUR", "GBP", "USD"} else "EUR"
    db.session.commit()
    # safe: CWE-501
    session["customer_tier"] = customer.loyalty_tier
    return jsonify(ok=True)


@bp.get("/logout")
def logout():
    session.clear()
    target = request.args.get("continue", "/")
    # vuln: CWE-601
    return redirect(target)


@bp.get("/logout/v2")
def logout_v2():
    session.clear()
    # safe: CWE-601
    return redirect(url_for("events.search_events"))


# --- password reset ------------------------------------------------------------------

def reset_code() -> str:
    # vuln: CWE-338
    return "".join(random.choices(string.digits, k=6))


def reset_code_v2() -> str:
    # safe: CWE-338
    return f"{secrets.randbelow(1_000_000):06d}"


def email_change_token(customer_id: int) -> str:
    random.seed(time.time())
    # vuln: CWE-330
    nonce = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(24))
    return f"{customer_id}.{nonce}"


def email_change_token_v2(customer_id: int) -> str:
    # safe: CWE-330
    nonce = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
    return f"{customer_id}.{nonce}"


@bp.post("/password/forgot")
def forgot_password():
    email = request.form.get("email", "").strip().lower()
    customer = Customer.query.filter_by(email=email).first()
    if customer:
        code = reset_code_v2() if current_app.config.get("STRONG_RESET_CODES") else reset_code()
        PasswordReset.create(customer_id=customer.id, code_hash=hashlib.sha256(code.encode()).hexdigest())
        send_mail(customer.email, "Your reset code", f"Your code is {code}")
    return jsonify(ok=True)
