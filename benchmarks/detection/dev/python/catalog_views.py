"""Catalogue service: product search and listing pages (Flask + sqlite3)."""

import sqlite3

from flask import Flask, g, jsonify, make_response, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)
DATABASE = "/var/lib/catalog/catalog.db"
SORT_COLUMNS = {"name": "name", "price": "price", "newest": "created_at DESC"}


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
        g.db.row_factory = sqlite3.Row
    return g.db


def products_in_category(category):
    cur = get_db().cursor()
    # vuln: CWE-89
    cur.execute("SELECT id, name, price FROM products WHERE category = '%s'" % category)
    return cur.fetchall()


@app.route("/products")
def list_products():
    category = request.args.get("category", "all")
    rows = products_in_category(category)
    return jsonify([dict(row) for row in rows])


@app.route("/products/search", methods=["POST"])
def search_products():
    term = request.form["q"]
    db = get_db()
    # vuln: CWE-89
    rows = db.execute(f"SELECT id, name FROM products WHERE name LIKE '%{term}%'").fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/products/sorted")
def sorted_products():
    order = request.args.get("order", "name")
    query = "SELECT id, name, price FROM products ORDER BY " + order
    # vuln: CWE-89
    rows = get_db().execute(query).fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/api/reviews", methods=["POST"])
def reviews_for_product():
    payload = request.get_json()
    sql = "SELECT author, body FROM reviews WHERE product_id = {} AND stars >= {}".format(
        payload["product_id"], payload.get("min_stars", 1))
    cur = get_db().cursor()
    # vuln: CWE-89
    cur.execute(sql)
    return jsonify([dict(row) for row in cur.fetchall()])


@app.route("/products/<int:product_id>")
def product_detail(product_id):
    # safe: CWE-89
    row = get_db().execute("SELECT id, name, price FROM products WHERE id = ?", (product_id,)).fetchone()
    return jsonify(dict(row)) if row else ("not found", 404)


@app.route("/products/by-sku")
def product_by_sku():
    sku = request.args.get("sku", "")
    # safe: CWE-89
    row = get_db().execute("SELECT id, name FROM products WHERE sku = :sku", {"sku": sku}).fetchone()
    return jsonify(dict(row)) if row else ("not found", 404)


@app.route("/products/page")
def product_page():
    order = SORT_COLUMNS.get(request.args.get("order", ""), "name")
    # safe: CWE-89
    rows = get_db().execute("SELECT id, name, price FROM products ORDER BY " + order).fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/products/latest")
def latest_products():
    limit = int(request.args.get("limit", "20"))
    # safe: CWE-89
    rows = get_db().execute(f"SELECT id, name FROM products ORDER BY created_at DESC LIMIT {limit}").fetchall()
    return jsonify([dict(row) for row in rows])


@app.route("/hello")
def hello():
    name = request.args.get("name", "guest")
    # vuln: CWE-79
    return "<h1>Welcome back, " + name + "!</h1>"


@app.route("/search")
def search_page():
    q = request.args.get("q", "")
    # vuln: CWE-79
    return Markup(f"<p>Results for <b>{q}</b></p>")


@app.errorhandler(404)
def not_found(error):
    # vuln: CWE-79
    return f"<p>Sorry, there is no page at {request.path}</p>", 404


@app.route("/notes", methods=["POST"])
def preview_note():
    note = request.form.get("note", "")
    # vuln: CWE-79
    resp = make_response("<div class='note-preview'>%s</div>" % note)
    return resp


@app.route("/hello/safe")
def hello_escaped():
    name = request.args.get("name", "guest")
    # safe: CWE-79
    return f"<h1>Welcome back, {escape(name)}!</h1>"


@app.route("/search/page")
def search_template():
    q = request.args.get("q", "")
    # safe: CWE-79
    return render_template("search.html", q=q, results=[])


@app.route("/search/fragment")
def search_fragment():
    q = request.args.get("q", "")
    # safe: CWE-79
    return Markup("<p>Results for <b>{}</b></p>").format(q)


@app.route("/api/search")
def search_api():
    q = request.args.get("q", "")
    # safe: CWE-79
    return jsonify(query=q, results=[])
