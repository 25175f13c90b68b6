"""Patient portal: sign-in flow, cookies and session state (Flask)."""

import secrets
from urllib.parse import urljoin, urlparse

from flask import Flask, abort, jsonify, make_response, redirect, request, session, url_for

from .auth import verify_credentials
from .models import Clinic, Patient

app = Flask(__name__)
LANGUAGES = {"en", "fr", "de", "es"}


def is_safe_url(target):
    host_url = urlparse(request.host_url)
    redirect_url = urlparse(urljoin(request.host_url, target))
    return redirect_url.scheme in ("http", "https") and host_url.netloc == redirect_url.netloc


@app.post("/login")
def login():
    patient = verify_credentials(request.form["email"], request.form["password"])
    if patient is None:
        abort(401)
    session["patient_id"] = patient.id
    # vuln: CWE-601
    return redirect(request.args.get("next") or url_for("dashboard"))


@app.get("/logout")
def logout():
    session.clear()
    destination = request.headers.get("Referer-Override", "/")
    # vuln: CWE-601
    return redirect(destination)


@app.post("/sso/callback")
def sso_callback():
    relay_state = request.form.get("RelayState", "/")
    # vuln: CWE-601
    response = make_response(redirect(relay_state))
    return response


@app.get("/go")
def outbound():
    # vuln: CWE-601
    return redirect(request.cookies.get("return_url", "/"), code=302)


@app.post("/login/safe")
def login_safe():
    patient = verify_credentials(request.form["email"], request.form["password"])
    if patient is None:
        abort(401)
    session["patient_id"] = patient.id
    target = request.args.get("next")
    if not target or not is_safe_url(target):
        target = url_for("dashboard")
    # safe: CWE-601
    return redirect(target)


@app.get("/logout/safe")
def logout_safe():
    session.clear()
    # safe: CWE-601
    return redirect(url_for("index"))


@app.get("/appointments/<int:appointment_id>/old")
def old_appointment_url(appointment_id):
    # safe: CWE-601
    return redirect(url_for("appointment", appointment_id=appointment_id), code=301)


@app.post("/portal/remember")
def remember_me():
    response = make_response(jsonify(ok=True))
    # vuln: CWE-614
    response.set_cookie("remember_token", secrets.token_hex(32), max_age=30 * 86400, httponly=True)
    return response


@app.post("/portal/share-token")
def share_token():
    token = secrets.token_urlsafe(24)
    response = jsonify(token=token)
    # vuln: CWE-1004
    response.set_cookie("share_token", token, secure=True, samesite="Strict")
    return response


@app.post("/portal/kiosk")
def kiosk_login():
    token = secrets.token_urlsafe(32)
    response = make_response(redirect(url_for("dashboard")))
    # vuln: CWE-614
    response.headers.add("Set-Cookie", f"kiosk_session={token}; Path=/; HttpOnly")
    return response


@app.post("/portal/remember/safe")
def remember_me_safe():
    response = make_response(jsonify(ok=True))
    # safe: CWE-614
    response.set_cookie("remember_token", secrets.token_hex(32), max_age=30 * 86400, httponly=True, secure=True, samesite="Lax")
    return response


@app.post("/portal/share-token/safe")
def share_token_safe():
    token = secrets.token_urlsafe(24)
    response = jsonify(token=token)
    # safe: CWE-614
    response.set_cookie("share_token", token, secure=True, httponly=True, samesite="Strict")
    return response


@app.get("/portal/language/safe/<lang>")
def set_language_safe(lang):
    response = redirect(url_for("dashboard"))
    # safe: CWE-614
    response.set_cookie("lang", lang if lang in LANGUAGES else "en", secure=True, httponly=True, samesite="Lax")
    return response


@app.post("/portal/clinic")
def choose_clinic():
    # vuln: CWE-501
    session["clinic_id"] = request.form["clinic_id"]
    return redirect(url_for("dashboard"))


@app.get("/portal/proxy-access")
def proxy_access():
    guardian_for = request.args.get("patient")
    # vuln: CWE-501
    session["guardian_for"] = guardian_for
    return redirect(url_for("dashboard"))


@app.post("/portal/preferences")
def preferences():
    prefs = request.get_json()
    # vuln: CWE-501
    session.update(prefs)
    return jsonify(ok=True)


@app.post("/portal/clinic/safe")
def choose_clinic_safe():
    clinic = Clinic.query.filter_by(id=int(request.form["clinic_id"]), active=True).first_or_404()
    # safe: CWE-501
    session["clinic_id"] = clinic.id
    return redirect(url_for("dashboard"))


@app.get("/portal/proxy-access/safe")
def proxy_access_safe():
    patient = Patient.query.get_or_404(request.args.get("patient", type=int))
    if session.get("patient_id") not in {g.id for g in patient.guardians}:
        abort(403)
    # safe: CWE-501
    session["guardian_for"] = patient.id
    return redirect(url_for("dashboard"))


@app.get("/portal/language/session/<lang>")
def language_in_session(lang):
    # safe: CWE-501
    session["lang"] = lang if lang in LANGUAGES else "en"
    return redirect(url_for("dashboard"))
