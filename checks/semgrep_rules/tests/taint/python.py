# Labelled cases for checks/semgrep_rules/taint/python.yml, and the Python part of the
# detection corpus (benchmarks/detection.py): "ruleid:" marks a vulnerable line, "ok:" a safe
# look-alike; the rule's CWE is the category.
import hashlib
import html
import os
import pickle
import random
import secrets
import shlex
import sqlite3
import subprocess
import urllib.request
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import ldap
import requests
import yaml
from Crypto.Cipher import AES, DES
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from flask import Flask, Markup, redirect, request, send_file, send_from_directory, session
from flask import make_response, render_template_string, url_for
from lxml import etree
from starlette.middleware.sessions import SessionMiddleware
from werkzeug.utils import secure_filename

app = Flask(__name__)
api = FastAPI()
ALLOWED_FILES = {"terms.pdf", "privacy.pdf"}
ALLOWED_HOSTS = {"https://partner.example.com/hook"}
ALLOWED_THEMES = {"light", "dark"}


# --- SQL injection (CWE-89) ---------------------------------------------------------------
def find_payments_by_customer(connection, customer):
    cursor = connection.cursor()
    # ruleid: python-sql-injection
    cursor.execute("SELECT * FROM payments WHERE customer = '%s' ORDER BY id" % customer)
    # ok: python-sql-injection
    cursor.execute("SELECT * FROM payments WHERE customer = ? ORDER BY id", (customer,))
    return cursor.fetchall()


@app.get("/users")
def users():
    name = request.args.get("name")
    db = sqlite3.connect("app.db")
    # ruleid: python-sql-injection
    db.execute(f"SELECT * FROM users WHERE name = '{name}'")
    # ok: python-sql-injection
    db.execute("SELECT * FROM users WHERE name = ?", [name])
    limit = int(request.args.get("limit", "10"))
    # ok: python-sql-injection
    db.execute("SELECT * FROM users LIMIT %d" % limit)
    table = "users"
    # ok: python-sql-injection
    db.execute("SELECT count(*) FROM %s" % table)
    return "ok"


def django_search(request):
    term = request.GET["q"]
    # ruleid: python-sql-injection
    rows = User.objects.raw("SELECT * FROM auth_user WHERE username = '" + term + "'")
    # ok: python-sql-injection
    same = User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [term])
    return rows, same


# --- Command injection (CWE-78) -----------------------------------------------------------
@app.post("/statements/export")
def export_statement():
    month = request.args.get("month", "latest")
    cmd = "tar czf /tmp/statement-%s.tgz /var/statements/%s" % (month, month)
    # ruleid: python-command-injection
    subprocess.call(cmd, shell=True)
    # ok: python-command-injection
    subprocess.call(["tar", "czf", f"/tmp/statement-{month}.tgz", f"/var/statements/{month}"])
    # ok: python-command-injection
    subprocess.call("tar czf /tmp/s.tgz /var/statements/" + shlex.quote(month), shell=True)
    # ok: python-command-injection
    os.system("tar czf /tmp/all.tgz /var/statements")
    return {"status": "exported"}


def ping(host):
    # ruleid: python-command-injection
    os.system("ping -c 1 " + host)
    # ok: python-command-injection
    subprocess.run(["ping", "-c", "1", host], check=False)


# --- Code injection (CWE-95) --------------------------------------------------------------
@app.get("/calc")
def calc():
    expression = request.args["expr"]
    # ruleid: python-code-injection
    result = eval(expression)
    # ok: python-code-injection
    fixed = eval("1 + 2")
    return str(result + fixed)


def run_hook(source):
    # ruleid: python-code-injection
    exec(source)
    # ok: python-code-injection
    exec("import math")


@app.get("/greet")
def greet():
    # ruleid: python-code-injection
    return render_template_string(request.args["template"])


@app.get("/greet-safe")
def greet_safe():
    # ok: python-code-injection
    return render_template_string("Hello {{ name }}", name=request.args["name"])


# --- LDAP injection (CWE-90) --------------------------------------------------------------
@app.get("/directory")
def directory():
    user = request.args["user"]
    conn = ldap.initialize("ldap://directory")
    # ruleid: python-ldap-injection
    found = conn.search_s("dc=example", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")
    safe_user = ldap.filter.escape_filter_chars(user)
    # ok: python-ldap-injection
    same = conn.search_s("dc=example", ldap.SCOPE_SUBTREE, "(uid=" + safe_user + ")")
    return str(found + same)


# --- XPath injection (CWE-643) ------------------------------------------------------------
@app.get("/catalog")
def catalog():
    title = request.args["title"]
    tree = etree.parse("catalog.xml")
    # ruleid: python-xpath-injection
    books = tree.xpath("//book[title='" + title + "']")
    # ok: python-xpath-injection
    same = tree.xpath("//book[title=$title]", title=title)
    return str(books + same)


# --- Path traversal (CWE-22) --------------------------------------------------------------
@app.get("/download")
def download():
    name = request.args["file"]
    # ruleid: python-path-traversal
    return send_file(os.path.join("/srv/files", name))


@app.get("/download-safe")
def download_safe():
    name = request.args["file"]
    # ok: python-path-traversal
    return send_file(os.path.join("/srv/files", secure_filename(name)))


@app.get("/docs")
def docs():
    name = request.args["doc"]
    if name in ALLOWED_FILES:
        # ok: python-path-traversal
        return open(os.path.join("/srv/docs", name)).read()
    # ok: python-path-traversal
    return send_from_directory("/srv/docs", name)


@api.get("/reports/{report}")
def report(report: str):
    # ruleid: python-path-traversal
    return FileResponse(f"/srv/reports/{report}")


# --- Open redirect (CWE-601) --------------------------------------------------------------
@app.get("/login/done")
def login_done():
    target = request.args.get("next", "/")
    # ruleid: python-open-redirect
    return redirect(target)


@app.get("/login/done-safe")
def login_done_safe():
    target = request.args.get("next", "/")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={"example.com"}):
        # ok: python-open-redirect
        return redirect(target)
    # ok: python-open-redirect
    return redirect(url_for("home"))


def django_next(request):
    # ruleid: python-open-redirect
    return HttpResponseRedirect(request.GET["next"])


@api.get("/go")
def go(url: str):
    # ruleid: python-open-redirect
    return RedirectResponse(url)


# --- Cross-site scripting (CWE-79) --------------------------------------------------------
@app.get("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: python-xss
    return make_response("<h1>Hello " + name + "</h1>")


@app.get("/hello-safe")
def hello_safe():
    name = request.args.get("name", "")
    # ok: python-xss
    return make_response("<h1>Hello " + html.escape(name) + "</h1>")


@app.get("/bio")
def bio():
    # ruleid: python-xss
    return Markup(request.args["bio"])


@app.get("/banner")
def banner():
    # ok: python-xss
    return Markup("<b>Welcome</b>")


def django_profile(request):
    # ruleid: python-xss
    return HttpResponse(mark_safe(request.GET["about"]))


# --- XML external entities (CWE-611) ------------------------------------------------------
@app.post("/import")
def import_xml():
    # ruleid: python-xxe
    document = etree.fromstring(request.data)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: python-xxe
    safe = etree.fromstring(request.data, parser)
    return str(document) + str(safe)


# --- Insecure deserialization (CWE-502) ---------------------------------------------------
@app.post("/restore")
def restore():
    # ruleid: python-insecure-deserialization
    state = pickle.loads(request.data)
    # ok: python-insecure-deserialization
    settings = yaml.safe_load(request.data)
    return str(state) + str(settings)


@app.post("/config")
def config():
    # ruleid: python-insecure-deserialization
    return str(yaml.load(request.get_data(), Loader=yaml.Loader))


# --- Server-side request forgery (CWE-918) ------------------------------------------------
@app.get("/preview")
def preview():
    url = request.args["url"]
    # ruleid: python-ssrf
    page = requests.get(url, timeout=5)
    # ok: python-ssrf
    profile = requests.get("https://api.example.com/users/" + url, timeout=5)
    return page.text + profile.text


@app.post("/hook")
def hook():
    target = request.json["callback"]
    if target in ALLOWED_HOSTS:
        # ok: python-ssrf
        requests.post(target, timeout=5)
    # ruleid: python-ssrf
    return urllib.request.urlopen(target).read()


# --- Trust boundary violation (CWE-501) ---------------------------------------------------
@app.post("/prefs")
def prefs():
    # ruleid: python-trust-boundary-violation
    session["role"] = request.form["role"]
    theme = request.form["theme"]
    if theme in ALLOWED_THEMES:
        # ok: python-trust-boundary-violation
        session["theme"] = theme
    return "ok"


# --- Weak cryptography (CWE-327/328) ------------------------------------------------------
def password_digest(password):
    # ruleid: python-weak-hash
    return hashlib.md5(password.encode()).hexdigest()


def file_checksum(data):
    # ok: python-weak-hash
    etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
    # ok: python-weak-hash
    return etag + hashlib.sha256(data).hexdigest()


def legacy_signature(data):
    # ruleid: python-weak-hash
    return hashlib.sha1(data).hexdigest()


def encrypt(key, data):
    # ruleid: python-weak-cipher
    legacy = DES.new(key, DES.MODE_CBC)
    # ruleid: python-weak-cipher
    ecb = AES.new(key, AES.MODE_ECB)
    # ok: python-weak-cipher
    gcm = AES.new(key, AES.MODE_GCM)
    # ruleid: python-weak-cipher
    mode = modes.ECB()
    # ok: python-weak-cipher
    cipher = algorithms.AES(key)
    return legacy, ecb, gcm, mode, cipher


# --- Weak randomness in a security context (CWE-330) --------------------------------------
def new_reset_token():
    # ruleid: python-weak-random-security
    reset_token = "".join(random.choice("abcdef0123456789") for _ in range(32))
    # ok: python-weak-random-security
    api_token = secrets.token_urlsafe(32)
    # ok: python-weak-random-security
    retry_delay = random.uniform(0.5, 1.5)
    return reset_token, api_token, retry_delay


# --- Insecure cookie (CWE-614) ------------------------------------------------------------
@app.post("/session")
def start_session():
    response = make_response("ok")
    # ruleid: python-insecure-cookie
    response.set_cookie("session_id", secrets.token_hex(16))
    # ok: python-insecure-cookie
    response.set_cookie("sid", secrets.token_hex(16), secure=True, httponly=True, samesite="Lax")
    return response


# --- Hard-coded secret (CWE-798) ----------------------------------------------------------
# ruleid: python-hardcoded-secret
STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
# ok: python-hardcoded-secret
GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]
# ok: python-hardcoded-secret
PASSWORD_FIELD = "password"


# --- Generalisation cases (issue 15): more sources, sinks, guards and helpers ---------------
SORT_COLUMNS = {"name": "name", "price": "price"}
PAGES = {"orders": "/orders"}


@app.route("/g/sort")
def g_sorted():
    order = SORT_COLUMNS.get(request.args.get("order", ""), "name")
    # ok: python-sql-injection
    sqlite3.connect("db").execute("SELECT * FROM products ORDER BY " + order)
    # ruleid: python-sql-injection
    sqlite3.connect("db").execute("SELECT * FROM products ORDER BY " + request.args["o"])


def g_members_of(conn, group_name):
    # ruleid: python-ldap-injection
    conn.search_s("ou=groups", ldap.SCOPE_SUBTREE, "(cn=%s)" % group_name)
    # ok: python-ldap-injection
    conn.search_s("ou=groups", ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(cn=%s)", [group_name]))


@app.post("/g/email")
def g_by_email(conn):
    email = request.get_json()["email"]
    # ruleid: python-ldap-injection
    conn.search(search_base="dc=x", search_filter="(mail={})".format(email))


def g_phone_for(name):
    # ruleid: python-xpath-injection
    return etree.XPath("//employee[@name='%s']/phone" % name)


@app.route("/g/floor/<int:floor>")
def g_floor(floor, dept):
    # ok: python-xpath-injection
    etree.parse("org.xml").xpath("//employee[@floor=%d]" % floor)
    if dept not in ALLOWED_THEMES:
        return "no", 404
    # ok: python-xpath-injection
    return etree.parse("org.xml").xpath(f"//department[@code='{dept}']")


@app.route("/g/import", methods=["POST"])
def g_import():
    parser = etree.XMLParser(resolve_entities=True, no_network=False)
    # ruleid: python-xxe, python-xxe-entities-enabled
    root = etree.fromstring(request.data, parser)
    # ruleid: python-xxe
    tree = etree.parse(request.files["f"].stream, etree.XMLParser(load_dtd=True))
    safe_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: python-xxe
    safe = etree.parse(request.files["f"].stream, safe_parser)
    return root, tree, safe


def g_report(request):
    folder = request.COOKIES.get("report_folder", "monthly")
    # ruleid: python-path-traversal
    text = (REPORT_ROOT / folder / "summary.txt").read_text()
    requested = (REPORT_ROOT / request.GET["file"]).resolve()
    if not requested.is_relative_to(REPORT_ROOT.resolve()):
        raise ValueError("no such report")
    # ok: python-path-traversal
    return open(requested, "rb"), text


def g_login(request):
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    # ok: python-open-redirect
    HttpResponseRedirect(next_url)
    # ok: python-open-redirect
    HttpResponseRedirect(PAGES.get(request.GET.get("page"), "/"))
    # ruleid: python-open-redirect
    return HttpResponseRedirect(request.headers.get("Referer"))


@app.errorhandler(404)
def g_not_found(error):
    # ruleid: python-xss
    return f"<p>No page at {request.path}</p>", 404


async def g_fetch_feed(feed_url: str) -> str:
    async with httpx.AsyncClient() as client:
        # ruleid: python-ssrf
        response = await client.get(feed_url)
        return response.text


@api.get("/g/shipment/{order_id}")
def g_shipment(order_id: int, src: str):
    # ok: python-ssrf
    httpx.get(f"https://shipping.example.com/orders/{order_id}")
    # ok: python-ssrf
    requests.get(f"{RATES_API}/v1/rates/{quote(src, safe='')}")
    parsed = urlparse(src)
    if parsed.hostname not in ALLOWED_HOSTS:
        raise ValueError("host not allowed")
    # ok: python-ssrf
    return requests.get(src, timeout=5)


def g_session(request):
    role = request.headers.get("X-Requested-Role", "viewer")
    # ruleid: python-trust-boundary-violation
    request.session["role"] = role
    # ruleid: python-trust-boundary-violation
    request.session.update({"code": json.loads(request.body)["code"]})
    team = Team.objects.filter(pk=request.POST.get("team"), members=request.user).first()
    # ok: python-trust-boundary-violation
    request.session["team_id"] = team.pk
    theme = request.GET.get("theme", "light")
    # ok: python-trust-boundary-violation
    request.session["theme"] = theme if theme in ALLOWED_THEMES else "light"


def one_time_login_code():
    # ruleid: python-weak-random-security
    return str(random.randint(100000, 999999))


def shuffled_playlist(tracks):
    # ok: python-weak-random-security
    return random.sample(tracks, len(tracks))


def g_report_download(request, name):
    # ruleid: python-path-traversal
    return open(os.path.join("/srv/reports", name), "rb")


def g_report_by_id(request, report_id: int):
    # ok: python-path-traversal
    return open(f"/srv/reports/{report_id}.pdf", "rb")


@app.route("/labels/upload", methods=["POST"])
def h_upload_label():
    upload = request.files["label"]
    # ruleid: python-path-traversal
    upload.save(os.path.join("/srv/labels", upload.filename))
    # ok: python-path-traversal
    upload.save(os.path.join("/srv/labels", secure_filename(upload.filename)))


@app.route("/backups")
def h_backup():
    base = os.path.realpath("/srv/backups")
    full_path = os.path.realpath(os.path.join(base, request.args["name"]))
    # ruleid: python-path-traversal
    open(full_path, "rb")
    if os.path.commonpath([base, full_path]) != base:
        return "forbidden", 403
    # ok: python-path-traversal
    return open(full_path, "rb").read()


@app.route("/after-login")
def h_after_login():
    target = request.args.get("next")
    # ruleid: python-open-redirect
    redirect(target)
    if not target or not is_safe_url(target):
        target = url_for("dashboard")
    # ok: python-open-redirect
    return redirect(target)


@api.get("/welcome", response_class=HTMLResponse)
def h_welcome(first_name: str = "there"):
    # ok: python-xss
    HTMLResponse(content=f"<h2>Hello {html.escape(first_name)}</h2>")
    # ruleid: python-xss
    return HTMLResponse(content=f"<h2>Hello {first_name}</h2>")


def h_managers_in(request):
    ldap_filter = "(&(objectCategory=person)(department=" + request.GET["department"] + "))"
    connection = ldap.initialize("ldap://ad.example.com")
    # ruleid: python-ldap-injection
    connection.search("dc=example,dc=com", ldap.SCOPE_SUBTREE, ldap_filter)
    # ok: python-ldap-injection
    connection.search("dc=example,dc=com", ldap.SCOPE_SUBTREE, "(objectCategory=person)")


@app.route("/kiosk", methods=["POST"])
def h_kiosk_login():
    token = secrets.token_urlsafe(32)
    response = make_response(redirect(url_for("dashboard")))
    # ruleid: python-insecure-cookie
    response.headers.add("Set-Cookie", f"kiosk_session={token}; Path=/; HttpOnly")
    # ok: python-insecure-cookie
    response.headers.add("Set-Cookie", f"kiosk_session={token}; Path=/; Secure; HttpOnly")
    return response


# ruleid: python-hardcoded-secret
broker_url = "amqp://logistics:R9vT2kQm7Lx!p4W@rabbitmq.internal.example.com:5672/logistics"
# ok: python-hardcoded-secret
result_backend = "redis://redis.internal.example.com:6379/1"


def store_kiosk_password(kiosk, password):
    from passlib.hash import argon2, md5_crypt
    # ruleid: python-weak-hash
    kiosk.password_hash = md5_crypt.hash(password)
    # ok: python-weak-hash
    kiosk.password_hash = argon2.hash(password)


def session_secret():
    rng = random.Random()
    # ruleid: python-weak-random-security
    return rng.randbytes(24).hex()


def shuffled_playlist(tracks):
    rng = random.Random()
    # ok: python-weak-random-security
    return rng.sample(tracks, len(tracks))


# --- third tuning round ---------------------------------------------------------------------
GRADING_CURVES = {"flat": "points", "root": "math.sqrt(points) * 10"}


def i_apply_curve(curve_name, custom_expression, points):
    # ok: python-code-injection
    preset = eval(GRADING_CURVES[curve_name], {"math": __import__("math")}, {"points": points})
    # ruleid: python-code-injection
    custom = eval(custom_expression, {}, {"points": points})
    return preset, custom


def i_count_by_region(db_session, region):
    from sqlalchemy import bindparam, text

    bound = text("SELECT COUNT(*) FROM sites WHERE region = :region").bindparams(bindparam("region", value=region))
    # ok: python-sql-injection
    db_session.execute(bound)
    # ruleid: python-sql-injection
    db_session.execute(text(f"SELECT COUNT(*) FROM sites WHERE region = '{region}'"))


def i_room_capacity(request):
    room = request.GET.get("room", "")
    evaluate = etree.XPathEvaluator(etree.parse("/srv/rooms.xml"))
    # ruleid: python-xpath-injection
    first = evaluate("count(//room[@code='" + room + "']/seat)")
    # ok: python-xpath-injection
    second = evaluate("count(//room[@code=$code]/seat)", code=room)
    return first, second


@api.get("/avatars/{name}")
def i_avatar(name: str, account=Depends(current_account)):
    # ok: python-path-traversal
    own = open(os.path.join("/srv/avatars", str(account.id), "avatar.png"), "rb")
    # ruleid: python-path-traversal
    other = open(os.path.join("/srv/avatars", str(account.id), name), "rb")
    return own, other


@api.get("/signout")
def i_signout(request: Request):
    # ruleid: python-open-redirect
    RedirectResponse(url=request.query_params.get("then", "/"))
    then = request.query_params.get("then", "/")
    if not is_local_url(then):
        then = "/"
    # ok: python-open-redirect
    return RedirectResponse(url=then)


class StatusPage(BaseHTTPRequestHandler):
    def do_GET(self):
        query = parse_qs(urlparse(self.path).query)
        job = query.get("job", [""])[0]
        self.send_response(200)
        self.end_headers()
        # ruleid: python-xss
        self.wfile.write(f"<h1>Status of {job}</h1>".encode("utf-8"))
        # ok: python-xss
        self.wfile.write(f"<h1>Status of {html.escape(job)}</h1>".encode("utf-8"))


@app.route("/switch-team", methods=["POST"])
def i_switch_team():
    team = Team.query.filter_by(slug=request.form["team"], archived=False).first_or_404()
    # ok: python-trust-boundary-violation
    session["team_id"] = team.id
    grant = verify_invite_token(request.form["invite"])
    # ok: python-trust-boundary-violation
    session["grant"] = grant.scope
    # ruleid: python-trust-boundary-violation
    session["team_hint"] = request.form["team"]
    return redirect(url_for("dashboard"))


def issue_kiosk_sid(store):
    # ruleid: python-weak-random-security
    sid = "%024x" % random.getrandbits(96)
    # ok: python-weak-random-security
    batch = "%06x" % random.getrandbits(24)
    store.put(sid, batch)


@app.route("/prefs/font", methods=["POST"])
def i_font_size():
    response = make_response("", 204)
    # ok: python-insecure-cookie
    response.set_cookie("font_scale", request.form.get("scale", "1"), secure=True, httponly=False, samesite="Lax")
    # ruleid: python-insecure-cookie
    response.set_cookie("auth_token", secrets.token_urlsafe(24), secure=True, httponly=False, samesite="Lax")
    return response


# ruleid: python-insecure-cookie-setting
SESSION_COOKIE_SECURE = False
# ok: python-insecure-cookie-setting
CSRF_COOKIE_SECURE = True
# ruleid: python-insecure-cookie-setting
app.config["SESSION_COOKIE_HTTPONLY"] = False
# ruleid: python-insecure-cookie-setting
app.config.update(REMEMBER_COOKIE_SECURE=False, REMEMBER_COOKIE_DURATION=3600)
# ok: python-insecure-cookie-setting
app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Lax")
# ruleid: python-insecure-cookie-setting
api.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_KEY"])
# ok: python-insecure-cookie-setting
api.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_KEY"], https_only=True, same_site="lax")


class KioskLogin(BaseHTTPRequestHandler):
    def do_POST(self):
        jar = SimpleCookie()
        # ruleid: python-insecure-cookie
        jar["kiosk"] = secrets.token_hex(16)
        jar["kiosk"]["path"] = "/"
        # ok: python-insecure-cookie
        jar["pref"] = "compact"
        jar["pref"]["secure"] = True
        jar["pref"]["httponly"] = True
        self.send_response(204)
        # ruleid: python-insecure-cookie
        self.send_header("Set-Cookie", f"kiosk={jar['kiosk'].value}; Path=/")
        # ok: python-insecure-cookie
        self.send_header("Set-Cookie", f"kiosk={jar['kiosk'].value}; Path=/; Secure; HttpOnly")
        self.end_headers()


def wsgi_badge(environ, start_response):
    badge = secrets.token_urlsafe(16)
    # ruleid: python-insecure-cookie
    start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", f"badge={badge}; Path=/")])
    # ok: python-insecure-cookie
    start_response("200 OK", [("Set-Cookie", f"badge={badge}; Path=/; Secure; HttpOnly; SameSite=Lax")])
    return [b"ok"]


# ruleid: python-hardcoded-secret
PAYMENT_PROVIDER = {"endpoint": "https://pay.example.com", "api_key": "pk_9fQ2wLx7TzR4mN8c"}
# ok: python-hardcoded-secret
PAYMENT_SANDBOX = {"endpoint": "https://pay.example.com", "api_key": os.environ["PAY_KEY"]}
# ruleid: python-hardcoded-secret
app.config["SECRET_KEY"] = "d7Hq2LmX9vRz4TkW"
# ok: python-hardcoded-secret
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]


@app.route("/badges/<int:badge_id>/print")
def i_print_badge(badge_id):
    # ok: python-path-traversal
    return send_file(f"/srv/badges/badge-{badge_id}.png")


@app.route("/badges/<int:batch>/<label>")
def i_print_label(batch, label):
    # ruleid: python-path-traversal
    return send_file(f"/srv/badges/{batch}/{label}.png")


@app.route("/orders/<int:order_id>/lines")
def i_order_lines(order_id):
    cursor = sqlite3.connect("/srv/orders.db").cursor()
    # ok: python-sql-injection
    return cursor.execute(f"SELECT * FROM order_lines WHERE order_id = {order_id}").fetchall()


# --- Tuning round 3: shapes from the property corpus, in other frameworks too -------------
REGIONS = {"north", "south"}
CHANNELS = {"email", "sms"}


@app.route("/staff/by-region")
def j_staff_by_region():
    region = request.args.get("region", "north")
    channel = request.args.get("channel", "email")
    conn = ldap.initialize("ldap://ldap.example.com")
    if region not in REGIONS or channel not in CHANNELS:
        return "bad request", 400
    # ok: python-ldap-injection
    conn.search_s("ou=staff,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(&(l=%s)(pref=%s))" % (region, channel))
    # ruleid: python-ldap-injection
    return conn.search_s("ou=staff,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(cn=%s)" % request.args["cn"])


@app.route("/staff/by-team")
def j_staff_by_team():
    team = request.args.get("team", "ops")
    conn = ldap.initialize("ldap://ldap.example.com")
    if team in REGIONS and conn is not None:
        # ok: python-ldap-injection
        return conn.search_s("ou=staff,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(ou=%s)" % team)
    # ruleid: python-ldap-injection
    return conn.search_s("ou=staff,dc=example,dc=com", ldap.SCOPE_SUBTREE, "(ou=%s)" % team)


@app.route("/units")
def j_units():
    page = request.args.get("page", default=1, type=int)
    size = request.values.get("size", 20, type=int)
    db = sqlite3.connect("/srv/units.db")
    # ok: python-sql-injection
    db.execute("SELECT id FROM units LIMIT {} OFFSET {}".format(size, (page - 1) * size))
    # ruleid: python-sql-injection
    return db.execute("SELECT id FROM units WHERE block = '{}'".format(request.args.get("block"))).fetchall()


class JMaintenanceHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        params = parse_qs(urlparse(self.path).query)
        self.route(params)

    def route(self, params):
        name = params.get("log", [""])[0]
        # ruleid: python-path-traversal
        with open(os.path.join("/var/log/app", name)) as fh:
            data = fh.read()
        # ok: python-path-traversal
        with open(os.path.join("/var/log/app", os.path.basename(name))) as fh:
            data += fh.read()
        real = os.path.realpath(os.path.join("/var/log/app", name))
        if os.path.commonpath([real, "/var/log/app"]) != "/var/log/app" or not os.path.isfile(real):
            return
        # ok: python-path-traversal
        with open(real) as fh:
            data += fh.read()
        self.wfile.write(data.encode())

    def vacuum(self, params):
        table = params.get("table", [""])[0]
        # ruleid: python-command-injection
        subprocess.run(["bash", "-c", "vacuumdb -t " + table], check=True)
        # ok: python-command-injection
        subprocess.run(["vacuumdb", "-t", table], check=True)
        # ok: python-command-injection
        subprocess.run(["/bin/sh", "-c", "vacuumdb -t " + shlex.quote(table)], check=True)


def j_wsgi_download(environ, start_response):
    name = environ.get("PATH_INFO", "/").lstrip("/")
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    # ruleid: python-path-traversal
    return [open("/srv/public/" + name, "rb").read()]


def j_wsgi_static(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/css")])
    # ok: python-path-traversal
    return [open("/srv/public/site.css", "rb").read()]


def j_parse_supplier_feed(data):
    from lxml import objectify

    # ruleid: python-xxe-entities-enabled
    catalogue = etree.fromstring(data, etree.XMLParser(load_dtd=True, resolve_entities=True))
    # ok: python-xxe-entities-enabled
    hardened = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    # ruleid: python-xxe-entities-enabled
    items = objectify.fromstring(data, objectify.makeparser(resolve_entities=True))
    # ok: python-xxe-entities-enabled
    safe_items = objectify.fromstring(data, objectify.makeparser(resolve_entities=False))
    return catalogue, hardened, items, safe_items


def j_stream_supplier_feed(stream):
    lenient = etree.XMLParser(no_network=False)
    # ruleid: python-xxe-entities-enabled
    head = etree.parse(stream, lenient)
    # ruleid: python-xxe-entities-enabled
    rows = [el for _, el in etree.iterparse(stream, tag="item", resolve_entities=True)]
    # ok: python-xxe-entities-enabled
    safe_rows = [el for _, el in etree.iterparse(stream, tag="item", resolve_entities=False, no_network=True)]
    return head, rows, safe_rows


def j_load_workflow(blob):
    # ruleid: python-insecure-deserialization
    steps = yaml.unsafe_load(blob)
    # ok: python-insecure-deserialization
    steps_safe = yaml.safe_load(blob)
    return steps, steps_safe


def _validate_expression(text):
    import ast

    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Expression, ast.BinOp, ast.Add, ast.Mult, ast.Constant, ast.Name, ast.Load)):
            raise ValueError("not allowed")
    return text


def j_apply_discount(rule, price):
    code = _validate_expression(rule["expression"])
    # ok: python-code-injection
    total = eval(code, {"__builtins__": {}}, {"price": price})
    # ruleid: python-code-injection
    return total + eval(rule["fallback"], {"__builtins__": {}}, {"price": price})


@api.post("/checkout/resume")
def j_resume_checkout(request: Request, code: str, db=Depends(get_db)):
    order = db.query(Order).filter_by(resume_code=code).first()
    if order is None:
        return {"error": "unknown"}
    # ok: python-trust-boundary-violation
    request.session["order_id"] = order.id
    cart = db.get(Cart, code)
    # ok: python-trust-boundary-violation
    request.session["cart"] = cart.id
    # ruleid: python-trust-boundary-violation
    request.session["promo"] = code
    return {"ok": True}


class JAvatarClient:
    def __init__(self, http=None):
        self.http = http or requests.Session()

    def download(self, image_url):
        # ruleid: python-ssrf
        data = self.http.get(image_url, timeout=5).content
        # ok: python-ssrf
        policy = self.http.get("https://cdn.example.com/policy.json", timeout=5).json()
        return data, policy


@app.post("/support/act-as")
def j_act_as():
    support_token = secrets.token_urlsafe(32)
    resp = make_response("ok")
    # ruleid: python-insecure-cookie
    resp.set_cookie("support_mode", support_token, secure=True, httponly=False, samesite="Strict")
    delegation_token = support_token[:16]
    # ruleid: python-insecure-cookie
    resp.set_cookie("delegation", value=delegation_token, secure=True, httponly=False)
    # ok: python-insecure-cookie
    resp.set_cookie("font_size", "large", secure=True, httponly=False)
    # ok: python-insecure-cookie
    resp.set_cookie("support_mode", support_token, secure=True, httponly=True, samesite="Strict")
    return resp


def jwt_encode_for(value):
    import jwt

    # ruleid: python-insecure-cookie
    make_response("").set_cookie("handoff", jwt.encode({"v": value}, "k", algorithm="HS256"), secure=True, httponly=False)
    return value


def j_conditional_get(resp, body, avatar_email):
    # ok: python-weak-hash
    page_etag = hashlib.md5(body).hexdigest()
    # ok: python-weak-hash
    resp.set_etag(hashlib.md5(body).hexdigest())
    # ok: python-weak-hash
    resp.headers["ETag"] = hashlib.md5(body).hexdigest()
    # ok: python-weak-hash
    cache_key = "avatar:" + hashlib.md5(avatar_email.encode()).hexdigest()
    # ruleid: python-weak-hash
    signature = hashlib.md5(body + b"secret").hexdigest()
    return page_etag, cache_key, signature
