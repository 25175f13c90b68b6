"""Landlord portal: login, SSO with partner agencies, sessions, notices (Flask)."""
import hashlib
import os
import random
import secrets
import string
import time
from datetime import datetime, timedelta, timezone

import bcrypt
import jwt
from flask import (
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    render_template_string,
    request,
    session,
    url_for,
)

from .models import ApiKey, Landlord, NoticeTemplate, PortalSession, Property, db

app = Flask(__name__)
app.config.from_envvar("PORTAL_SETTINGS")

# vuln: CWE-798
JWT_SIGNING_SECRET = "9f2c7e1ab84d4c3e8a6b0d5f13e7c29a-portal-prod"
# safe: CWE-798
PARTNER_JWT_SECRET = app.config["PARTNER_JWT_SECRET"]

ALLOWED_RELAY_PATHS = {"/dashboard", "/properties", "/leases", "/payments", "/maintenance"}
SUPPORTED_LOCALES = {"en", "es", "fr", "pt"}
REMEMBER_ME_DAYS = 30

NOTICE_TEMPLATE = """
<p>Dear {{ tenant_name }},</p>
<p>{{ body }}</p>
<p>Regards,<br>{{ landlord_name }}</p>
"""


def issue_api_token(landlord):
    claims = {"sub": str(landlord.id), "exp": datetime.now(timezone.utc) + timedelta(hours=12)}
    return jwt.encode(claims, JWT_SIGNING_SECRET, algorithm="HS256")


def new_session_id():
    alphabet = string.ascii_letters + string.digits
    # vuln: CWE-330
    return "".join(random.choice(alphabet) for _ in range(40))


def new_session_id_v2():
    # safe: CWE-330
    return secrets.token_urlsafe(32)


def _password_ok(landlord, password):
    # vuln: CWE-328
    return hashlib.md5((landlord.salt + password).encode()).hexdigest() == landlord.password_hash


def _password_ok_v2(landlord, password):
    # safe: CWE-328
    return bcrypt.checkpw(password.encode("utf-8"), landlord.password_bcrypt.encode("utf-8"))


@app.route("/login", methods=["POST"])
def login():
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    landlord = Landlord.query.filter_by(email=email).first()
    if landlord is None:
        abort(401)
    ok = _password_ok_v2(landlord, password) if landlord.password_bcrypt else _password_ok(landlord, password)
    if not ok:
        abort(401)
    session.clear()
    # safe: CWE-501
    session["landlord_id"] = landlord.id
    sid = new_session_id()
    db.session.add(PortalSession(id=sid, landlord_id=landlord.id))
    db.session.commit()
    resp = make_response(redirect(url_for("dashboard")))
    # vuln: CWE-614
    resp.set_cookie("portal_session", sid, httponly=True, samesite="Lax")
    if request.form.get("remember"):
        token = new_session_id_v2()
        # vuln: CWE-1004
        resp.set_cookie("remember_token", token, max_age=REMEMBER_ME_DAYS * 86400, secure=True, samesite="Lax")
    return resp


@app.route("/v2/login", methods=["POST"])
def login_v2():
    email = request.form.get("email", "").strip().lower()
    landlord = Landlord.query.filter_by(email=email).first()
    if landlord is None or not _password_ok_v2(landlord, request.form.get("password", "")):
        abort(401)
    session.clear()
    session["landlord_id"] = landlord.id
    sid = new_session_id_v2()
    db.session.add(PortalSession(id=sid, landlord_id=landlord.id))
    db.session.commit()
    resp = make_response(redirect(url_for("dashboard")))
    # safe: CWE-614
    resp.set_cookie("portal_session", sid, secure=True, httponly=True, samesite="Lax")
    if request.form.get("remember"):
        # safe: CWE-1004
        resp.set_cookie("remember_token", new_session_id_v2(), max_age=REMEMBER_ME_DAYS * 86400, secure=True, httponly=True, samesite="Lax")
    return resp


@app.route("/sso/start")
def sso_start():
    state = secrets.token_hex(16)
    resp = redirect(current_app.config["SSO_AUTHORIZE_URL"] + "?state=" + state)
    # vuln: CWE-1004
    resp.set_cookie("sso_state", state)
    return resp


@app.route("/v2/sso/start")
def sso_start_v2():
    state = secrets.token_hex(16)
    resp = redirect(current_app.config["SSO_AUTHORIZE_URL"] + "?state=" + state)
    # safe: CWE-614
    resp.set_cookie("sso_state", state, max_age=600, secure=True, httponly=True, samesite="Lax")
    return resp


@app.route("/sso/acs", methods=["POST"])
def sso_acs():
    assertion = current_app.extensions["saml"].parse_response(request.form["SAMLResponse"])
    landlord = Landlord.query.filter_by(email=assertion.email).first_or_404()
    session["landlord_id"] = landlord.id
    relay = request.form.get("RelayState") or url_for("dashboard")
    # vuln: CWE-601
    return redirect(relay)


@app.route("/v2/sso/acs", methods=["POST"])
def sso_acs_v2():
    assertion = current_app.extensions["saml"].parse_response(request.form["SAMLResponse"])
    landlord = Landlord.query.filter_by(email=assertion.email).first_or_404()
    session["landlord_id"] = landlord.id
    relay = request.form.get("RelayState", "/dashboard")
    if relay not in ALLOWED_RELAY_PATHS:
        relay = "/dashboard"
    # safe: CWE-601
    return redirect(relay)


@app.route("/sso/agency", methods=["GET"])
def agency_sso():
    # vuln: CWE-501
    session["agency_user"] = request.headers.get("X-Forwarded-User", "")
    session["agency_role"] = request.headers.get("X-Forwarded-Role", "viewer")
    return redirect(url_for("dashboard"))


@app.route("/v2/sso/agency", methods=["GET"])
def agency_sso_v2():
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, PARTNER_JWT_SECRET, algorithms=["HS256"], audience="rentals-portal")
    except jwt.InvalidTokenError:
        abort(401)
    # safe: CWE-501
    session["agency_user"] = claims["sub"]
    return redirect(url_for("dashboard"))


@app.route("/referral")
def referral_landing():
    partner = request.cookies.get("partner_ref")
    if partner:
        # vuln: CWE-501
        session["referring_partner"] = partner
    return render_template("portal/referral.html")


@app.route("/settings/locale", methods=["POST"])
def set_locale():
    locale = request.form.get("locale", "en")
    if locale in SUPPORTED_LOCALES:
        # safe: CWE-501
        session["locale"] = locale
    return redirect(url_for("settings_page"))


@app.route("/impersonate/<int:landlord_id>", methods=["POST"])
def impersonate(landlord_id):
    if not g.staff or not g.staff.can_impersonate:
        abort(403)
    token = jwt.encode({"sub": str(landlord_id), "act": g.staff.id, "exp": int(time.time()) + 900}, JWT_SIGNING_SECRET, algorithm="HS256")
    resp = make_response(redirect(url_for("dashboard")))
    # vuln: CWE-1004
    resp.set_cookie("impersonation", token, secure=True, httponly=False, samesite="Strict", max_age=900)
    return resp


@app.route("/partner/link", methods=["POST"])
def partner_link():
    partner_token = request.form.get("partner_token", "")
    resp = make_response(jsonify({"linked": True}))
    # vuln: CWE-614
    resp.set_cookie("partner_auth", partner_token, secure=False, httponly=True, samesite="Lax", max_age=3600)
    return resp


@app.route("/v2/partner/link", methods=["POST"])
def partner_link_v2():
    partner_token = request.form.get("partner_token", "")
    resp = make_response(jsonify({"linked": True}))
    # safe: CWE-1004
    resp.set_cookie("partner_auth", partner_token, secure=True, httponly=True, samesite="Lax", max_age=3600)
    return resp


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    landlord = Landlord.query.filter_by(email=request.form.get("email", "").lower()).first()
    if landlord:
        # vuln: CWE-338
        landlord.reset_code = str(random.randint(0, 999999)).zfill(6)
        landlord.reset_expires = datetime.now(timezone.utc) + timedelta(minutes=15)
        db.session.commit()
    return jsonify({"sent": True})


@app.route("/v2/password/forgot", methods=["POST"])
def forgot_password_v2():
    landlord = Landlord.query.filter_by(email=request.form.get("email", "").lower()).first()
    if landlord:
        # safe: CWE-338
        landlord.reset_code = "".join(secrets.choice(string.digits) for _ in range(6))
        landlord.reset_expires = datetime.now(timezone.utc) + timedelta(minutes=15)
        db.session.commit()
    return jsonify({"sent": True})


@app.route("/api-keys", methods=["POST"])
def create_api_key():
    rng = random.Random(time.time())
    # vuln: CWE-338
    key = "rk_%040x" % rng.getrandbits(160)
    db.session.add(ApiKey(landlord_id=session["landlord_id"], key_hash=hashlib.sha256(key.encode()).hexdigest()))
    db.session.commit()
    return jsonify({"api_key": key}), 201


@app.route("/v2/api-keys", methods=["POST"])
def create_api_key_v2():
    # safe: CWE-338
    key = "rk_" + "".join(random.SystemRandom().choice(string.hexdigits.lower()) for _ in range(40))
    db.session.add(ApiKey(landlord_id=session["landlord_id"], key_hash=hashlib.sha256(key.encode()).hexdigest()))
    db.session.commit()
    return jsonify({"api_key": key}), 201


@app.route("/dashboard")
def dashboard():
    properties = Property.query.filter_by(landlord_id=session.get("landlord_id")).all()
    featured = list(properties)
    # safe: CWE-330
    random.shuffle(featured)
    return render_template("portal/dashboard.html", properties=properties, featured=featured[:3])


@app.route("/notices/preview", methods=["POST"])
def preview_notice():
    tenant_name = request.form.get("tenant_name", "")
    body = request.form.get("body", "")
    template = f"<p>Dear {tenant_name},</p><p>{body}</p><p>Regards,<br>{{{{ landlord_name }}}}</p>"
    # vuln: CWE-94
    return render_template_string(template, landlord_name=g.landlord.display_name)


@app.route("/v2/notices/preview", methods=["POST"])
def preview_notice_v2():
    # safe: CWE-94
    return render_template_string(NOTICE_TEMPLATE, tenant_name=request.form.get("tenant_name", ""), body=request.form.get("body", ""), landlord_name=g.landlord.display_name)


@app.route("/logout")
def logout():
    session.clear()
    target = request.args.get("continue", "/")
    # vuln: CWE-601
    resp = make_response(redirect(target))
    resp.delete_cookie("portal_session")
    return resp


@app.route("/v2/logout")
def logout_v2():
    session.clear()
    # safe: CWE-601
    resp = make_response(redirect(url_for("login_page")))
    resp.delete_cookie("portal_session")
    return resp
