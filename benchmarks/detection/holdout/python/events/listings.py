"""Public listings: event search, venue pages, seat availability."""
import sqlite3
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    render_template,
    request,
)
from markupsafe import Markup, escape
from sqlalchemy import text

from ..extensions import db

bp = Blueprint("events", __name__)

SORT_COLUMNS = {"date": "starts_at", "price": "min_price", "title": "title"}
PAGE_SIZE = 24


def get_conn():
    if "listings_conn" not in g:
        g.listings_conn = sqlite3.connect(current_app.config["LISTINGS_DB"])
        g.listings_conn.row_factory = sqlite3.Row
    return g.listings_conn


def _rows(rows):
    return [dict(r) for r in rows]


class ListingRepository:
    """Thin data-access layer used by the listing views and the partner feed."""

    def __init__(self, conn):
        self.conn = conn

    def by_promoter(self, promoter_name, status):
        where = "p.display_name = '" + promoter_name + "'"
        if status:
            where += " AND e.status = '" + status + "'"
        sql = (
            "SELECT e.id, e.title, e.starts_at FROM events e "
            "JOIN promoters p ON p.id = e.promoter_id WHERE " + where
        )
        # vuln: CWE-89
        return self.conn.execute(sql).fetchall()

    def by_promoter_checked(self, promoter_name, status):
        sql = (
            "SELECT e.id, e.title, e.starts_at FROM events e "
            "JOIN promoters p ON p.id = e.promoter_id WHERE p.display_name = :name"
        )
        params = {"name": promoter_name}
        if status:
            sql += " AND e.status = :status"
            params["status"] = status
        # safe: CWE-89
        return self.conn.execute(sql, params).fetchall()

    def in_category(self, category_id, page):
        offset = int(page) * PAGE_SIZE
        sql = "SELECT id, title FROM events WHERE category_id = %d LIMIT %d OFFSET %d" % (int(category_id), PAGE_SIZE, offset)
        # safe: CWE-89
        return self.conn.execute(sql).fetchall()


@bp.get("/events/search")
def search_events():
    term = request.args.get("q", "").strip()
    city = request.args.get("city")
    conn = get_conn()
    query = "SELECT id, title, starts_at, min_price FROM events WHERE published = 1 AND title LIKE '%" + term + "%'"
    if city:
        query += " AND city = '%s'" % city
    # vuln: CWE-89
    rows = conn.execute(query).fetchall()
    return jsonify(_rows(rows))


@bp.get("/events/search/v2")
def search_events_v2():
    term = request.args.get("q", "").strip()
    city = request.args.get("city")
    conn = get_conn()
    query = "SELECT id, title, starts_at, min_price FROM events WHERE published = 1 AND title LIKE ?"
    params = [f"%{term}%"]
    if city:
        query += " AND city = ?"
        params.append(city)
    # safe: CWE-89
    rows = conn.execute(query, params).fetchall()
    return jsonify(_rows(rows))


@bp.get("/venues/<venue_slug>/events")
def venue_events(venue_slug):
    sort = request.args.get("sort", "starts_at")
    conn = get_conn()
    # vuln: CWE-89
    rows = conn.execute(f"SELECT id, title, starts_at FROM events WHERE venue_slug = '{venue_slug}' ORDER BY {sort}").fetchall()
    return jsonify(_rows(rows))


@bp.get("/venues/<venue_slug>/upcoming")
def venue_upcoming(venue_slug):
    order_col = SORT_COLUMNS.get(request.args.get("sort", "date"), "starts_at")
    conn = get_conn()
    # safe: CWE-89
    rows = conn.execute(f"SELECT id, title, starts_at FROM events WHERE venue_slug = ? AND starts_at >= ? ORDER BY {order_col}", (venue_slug, date.today().isoformat())).fetchall()
    return jsonify(_rows(rows))


@bp.post("/api/events/filter")
def filter_events():
    body = request.get_json(force=True) or {}
    genre = body.get("genre", "")
    min_price = body.get("min_price", 0)
    # vuln: CWE-89
    result = db.session.execute(text("SELECT id, title, min_price FROM events WHERE genre = '{}' AND min_price >= {}".format(genre, min_price)))
    return jsonify([dict(r._mapping) for r in result])


@bp.post("/api/events/filter/v2")
def filter_events_v2():
    body = request.get_json(force=True) or {}
    genre = body.get("genre", "")
    min_price = float(body.get("min_price", 0))
    # safe: CWE-89
    result = db.session.execute(text("SELECT id, title, min_price FROM events WHERE genre = :genre AND min_price >= :min_price"), {"genre": genre, "min_price": min_price})
    return jsonify([dict(r._mapping) for r in result])


@bp.get("/promoters/<name>/events")
def promoter_events(name):
    repo = ListingRepository(get_conn())
    rows = repo.by_promoter(name, request.args.get("status"))
    return jsonify(_rows(rows))


@bp.get("/promoters/<name>/events/v2")
def promoter_events_v2(name):
    repo = ListingRepository(get_conn())
    rows = repo.by_promoter_checked(name, request.args.get("status"))
    return jsonify(_rows(rows))


@bp.get("/categories/<category_id>")
def category_page(category_id):
    if not category_id.isdigit():
        abort(404)
    repo = ListingRepository(get_conn())
    return jsonify(_rows(repo.in_category(category_id, request.args.get("page", "0"))))


@bp.get("/events/search/empty")
def no_results():
    term = request.args.get("q", "")
    # vuln: CWE-79
    return f"<p class='empty'>No events found for <b>{term}</b>. Try a different date or city.</p>"


@bp.get("/events/search/empty/v2")
def no_results_v2():
    term = request.args.get("q", "")
    # safe: CWE-79
    return f"<p class='empty'>No events found for <b>{escape(term)}</b>. Try a different date or city.</p>"


@bp.get("/events/<int:event_id>")
def event_page(event_id):
    event = db.session.execute(text("SELECT * FROM events WHERE id = :id"), {"id": event_id}).mappings().first()
    if event is None:
        abort(404)
    promo = request.cookies.get("promo_banner", "")
    # vuln: CWE-79
    banner = Markup("<div class='promo-banner'>" + promo + "</div>")
    return render_template("events/detail.html", event=event, banner=banner)


@bp.get("/events/<int:event_id>/share")
def event_share(event_id):
    event = db.session.execute(text("SELECT * FROM events WHERE id = :id"), {"id": event_id}).mappings().first()
    if event is None:
        abort(404)
    shared_by = request.args.get("from", "a friend")
    # safe: CWE-79
    return render_template("events/share.html", event=event, shared_by=shared_by)


@bp.get("/events/<int:event_id>/calendar-note")
def calendar_note(event_id):
    note = request.args.get("note", "")
    resp = make_response()
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    # vuln: CWE-79
    resp.set_data("<html><body><h3>Your reminder</h3><div>%s</div></body></html>" % note)
    return resp


@bp.get("/events/<int:event_id>/calendar-note/v2")
def calendar_note_v2(event_id):
    note = request.args.get("note", "")
    resp = make_response()
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    # safe: CWE-79
    resp.set_data("<html><body><h3>Your reminder</h3><div>%s</div></body></html>" % escape(note))
    return resp
