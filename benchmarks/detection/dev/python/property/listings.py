"""Public property listings: search, listing detail pages and share links (Flask)."""
import sqlite3
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

bp = Blueprint("listings", __name__, url_prefix="/listings")

SORTABLE_COLUMNS = {
    "price": "monthly_rent",
    "newest": "listed_at",
    "size": "floor_area_sqft",
    "bedrooms": "bedrooms",
}


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["LISTINGS_DB"])
        g.db.row_factory = sqlite3.Row
    return g.db


def _rows(cursor):
    return [dict(r) for r in cursor.fetchall()]


@bp.route("/search")
def search():
    city = request.args.get("city", "")
    max_rent = request.args.get("max_rent", "5000")
    cur = get_db().cursor()
    # vuln: CWE-89
    cur.execute("SELECT id, title, monthly_rent, bedrooms FROM listings WHERE city = '" + city + "' AND monthly_rent <= " + max_rent + " AND active = 1")
    return jsonify(_rows(cur))


@bp.route("/search/nearby")
def search_nearby():
    city = request.args.get("city", "")
    max_rent = request.args.get("max_rent", default=5000, type=int)
    cur = get_db().cursor()
    # safe: CWE-89
    cur.execute("SELECT id, title, monthly_rent, bedrooms FROM listings WHERE city = ? AND monthly_rent <= ? AND active = 1", (city, max_rent))
    return jsonify(_rows(cur))


@bp.route("/browse")
def browse():
    order = request.args.get("sort", "newest")
    column = SORTABLE_COLUMNS.get(order, "listed_at")
    page = request.args.get("page", default=1, type=int)
    query = "SELECT id, title, monthly_rent FROM listings WHERE active = 1 ORDER BY {} DESC LIMIT 20 OFFSET {}".format(column, (page - 1) * 20)
    # safe: CWE-89
    rows = get_db().execute(query).fetchall()
    return render_template("listings/browse.html", listings=rows, sort=order)


@bp.route("/by-amenity", methods=["POST"])
def by_amenity():
    payload = request.get_json(force=True) or {}
    amenities = payload.get("amenities", [])
    if not amenities:
        return jsonify([])
    clause = " OR ".join("a.name = '%s'" % name for name in amenities)
    sql = f"SELECT DISTINCT l.id, l.title FROM listings l JOIN listing_amenities a ON a.listing_id = l.id WHERE {clause}"
    # vuln: CWE-89
    rows = get_db().execute(sql).fetchall()
    return jsonify([dict(r) for r in rows])


@bp.route("/by-amenity/v2", methods=["POST"])
def by_amenity_v2():
    payload = request.get_json(force=True) or {}
    amenities = [str(a) for a in payload.get("amenities", [])][:20]
    if not amenities:
        return jsonify([])
    placeholders = ", ".join("?" for _ in amenities)
    sql = f"SELECT DISTINCT l.id, l.title FROM listings l JOIN listing_amenities a ON a.listing_id = l.id WHERE a.name IN ({placeholders})"
    # safe: CWE-89
    rows = get_db().execute(sql, amenities).fetchall()
    return jsonify([dict(r) for r in rows])


class ListingRepository:
    def __init__(self, conn):
        self.conn = conn

    def by_landlord(self, landlord_slug, status):
        sql = "SELECT id, title, status FROM listings WHERE landlord_slug = '%s'" % landlord_slug
        if status:
            sql += " AND status = '%s'" % status
        # vuln: CWE-89
        return self.conn.execute(sql).fetchall()

    def by_postcode(self, postcode, min_beds):
        # safe: CWE-89
        return self.conn.execute("SELECT id, title FROM listings WHERE postcode = :pc AND bedrooms >= :beds", {"pc": postcode, "beds": min_beds}).fetchall()


@bp.route("/landlord/<slug>")
def landlord_listings(slug):
    repo = ListingRepository(get_db())
    rows = repo.by_landlord(slug, request.args.get("status"))
    return jsonify([dict(r) for r in rows])


@bp.route("/postcode/<postcode>")
def postcode_listings(postcode):
    repo = ListingRepository(get_db())
    rows = repo.by_postcode(postcode, request.args.get("beds", default=0, type=int))
    return jsonify([dict(r) for r in rows])


@bp.route("/<int:listing_id>/share")
def share_preview(listing_id):
    note = request.args.get("note", "")
    listing = get_db().execute("SELECT title FROM listings WHERE id = ?", (listing_id,)).fetchone()
    if listing is None:
        abort(404)
    # vuln: CWE-79
    return f"<html><body><h2>{listing['title']}</h2><p class='note'>{note}</p><a href='/listings/{listing_id}'>View listing</a></body></html>"


@bp.route("/<int:listing_id>/share/card")
def share_card(listing_id):
    note = request.args.get("note", "")
    listing = get_db().execute("SELECT title FROM listings WHERE id = ?", (listing_id,)).fetchone()
    if listing is None:
        abort(404)
    # safe: CWE-79
    return f"<html><body><h2>{escape(listing['title'])}</h2><p class='note'>{escape(note)}</p></body></html>"


@bp.route("/<int:listing_id>")
def detail(listing_id):
    listing = get_db().execute("SELECT * FROM listings WHERE id = ?", (listing_id,)).fetchone()
    if listing is None:
        abort(404)
    highlight = request.args.get("highlight", "")
    # vuln: CWE-79
    banner = Markup("<div class='search-hit'>Matched: <em>%s</em></div>" % highlight)
    # safe: CWE-79
    tagline = Markup("<div class='tagline'>{}</div>").format(listing["tagline"])
    return render_template("listings/detail.html", listing=listing, banner=banner, tagline=tagline)


@bp.route("/no-results")
def no_results():
    term = request.args.get("q", "")
    # safe: CWE-79
    return render_template("listings/no_results.html", term=term)


def _error_fragment(message):
    html = "<div class='alert alert-warning'>"
    html += message
    html += "</div>"
    return html


@bp.route("/saved/remove", methods=["POST"])
def remove_saved():
    listing_ref = request.form.get("listing_ref", "")
    row = get_db().execute("SELECT id FROM saved_listings WHERE ref = ?", (listing_ref,)).fetchone()
    if row is None:
        # vuln: CWE-79
        return _error_fragment("Listing " + listing_ref + " is not in your saved list."), 404
    get_db().execute("DELETE FROM saved_listings WHERE id = ?", (row["id"],))
    get_db().commit()
    return "", 204


@bp.route("/enquire", methods=["POST"])
def enquire():
    listing_id = request.form.get("listing_id", type=int)
    get_db().execute(
        "INSERT INTO enquiries (listing_id, email, message) VALUES (?, ?, ?)",
        (listing_id, request.form.get("email"), request.form.get("message")),
    )
    get_db().commit()
    next_url = request.args.get("next") or url_for("listings.detail", listing_id=listing_id)
    # vuln: CWE-601
    return redirect(next_url)


def _is_local_path(target):
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parsed = urlparse(target)
    return not parsed.scheme and not parsed.netloc


@bp.route("/favourite", methods=["POST"])
def favourite():
    listing_id = request.form.get("listing_id", type=int)
    get_db().execute("INSERT OR IGNORE INTO favourites (listing_id, session_key) VALUES (?, ?)", (listing_id, request.cookies.get("visitor")))
    get_db().commit()
    target = request.form.get("return_to", "")
    if not _is_local_path(target):
        target = url_for("listings.browse")
    # safe: CWE-601
    return redirect(target)


@bp.route("/go/<int:listing_id>")
def external_tour(listing_id):
    tour = request.args.get("tour_url", "")
    get_db().execute("UPDATE listings SET tour_clicks = tour_clicks + 1 WHERE id = ?", (listing_id,))
    get_db().commit()
    # vuln: CWE-601
    return redirect(tour, code=302)


@bp.route("/go/<int:listing_id>/virtual-tour")
def virtual_tour(listing_id):
    row = get_db().execute("SELECT tour_provider, tour_code FROM listings WHERE id = ?", (listing_id,)).fetchone()
    if row is None:
        abort(404)
    providers = current_app.config["TOUR_PROVIDERS"]
    base = providers.get(row["tour_provider"])
    if base is None:
        abort(404)
    # safe: CWE-601
    return redirect(f"{base}/embed/{int(row['tour_code'])}")
