"""Course catalogue: browsing, search, course pages and the syllabus preview (Flask)."""

import random
import sqlite3

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, render_template_string, request, session, url_for
from markupsafe import Markup, escape
from sqlalchemy import text

from .extensions import db

catalogue = Blueprint("catalogue", __name__, url_prefix="/catalogue")

SORTABLE_COLUMNS = {
    "code": "c.code",
    "title": "c.title",
    "credits": "c.credits",
    "level": "c.level",
}
PAGE_SIZE = 25


def get_db():
    if "catalogue_db" not in g:
        g.catalogue_db = sqlite3.connect(current_app.config["CATALOGUE_DATABASE"])
        g.catalogue_db.row_factory = sqlite3.Row
    return g.catalogue_db


def render_tag(tag):
    # vuln: CWE-79
    return Markup(f"<span class='course-tag'>{tag}</span>")


@catalogue.route("/search")
def search_courses():
    term = request.args.get("q", "").strip()
    cur = get_db().cursor()
    # vuln: CWE-89
    cur.execute("SELECT code, title, credits FROM courses WHERE title LIKE '%" + term + "%' AND archived = 0")
    rows = cur.fetchall()
    if not rows:
        # vuln: CWE-79
        return f"<p class='empty'>No courses match <b>{term}</b>. Try a shorter search.</p>", 404
    tags = [render_tag(t) for t in request.args.getlist("tag")]
    return render_template("catalogue/results.html", courses=rows, term=term, tags=tags)


@catalogue.route("/suggest")
def suggest_courses():
    term = request.args.get("q", "").strip()
    cur = get_db().cursor()
    cur.execute("SELECT code, title FROM courses WHERE title LIKE ? AND archived = 0 LIMIT 10", (f"%{term}%",))
    rows = cur.fetchall()
    if not rows:
        # safe: CWE-79
        return f"<li class='empty'>No suggestions for <b>{escape(term)}</b></li>", 200
    return render_template("catalogue/suggest.html", courses=rows)


@catalogue.route("/department/<dept_code>")
def department_listing(dept_code):
    sort = request.args.get("sort", "code")
    cur = get_db().cursor()
    # vuln: CWE-89
    cur.execute(f"SELECT c.code, c.title, c.credits FROM courses c WHERE c.department = '{dept_code}' ORDER BY {sort}")
    return render_template("catalogue/department.html", courses=cur.fetchall(), dept=dept_code)


@catalogue.route("/all")
def all_courses():
    order_by = SORTABLE_COLUMNS.get(request.args.get("sort", "code"), "c.code")
    page = max(int(request.args.get("page", 1)), 1)
    cur = get_db().cursor()
    # safe: CWE-89
    cur.execute(f"SELECT c.code, c.title, c.credits FROM courses c WHERE c.archived = 0 ORDER BY {order_by} LIMIT ? OFFSET ?", (PAGE_SIZE, (page - 1) * PAGE_SIZE))
    return render_template("catalogue/all.html", courses=cur.fetchall(), page=page)


@catalogue.route("/course/<course_code>")
def course_detail(course_code):
    cur = get_db().cursor()
    # safe: CWE-89
    cur.execute("SELECT code, title, credits, description, department FROM courses WHERE code = ?", (course_code,))
    course = cur.fetchone()
    if course is None:
        abort(404)
    note = request.args.get("note", "")
    # safe: CWE-79
    return render_template("catalogue/course_detail.html", course=course, note=note)


@catalogue.route("/course/<course_code>/prerequisites")
def prerequisites(course_code):
    # vuln: CWE-89
    result = db.session.execute(text(f"SELECT p.required_code, c.title FROM prerequisites p JOIN courses c ON c.code = p.required_code WHERE p.course_code = '{course_code}'"))
    return {"course": course_code, "prerequisites": [dict(r._mapping) for r in result]}


@catalogue.route("/course/<course_code>/equivalents")
def equivalents(course_code):
    # safe: CWE-89
    result = db.session.execute(text("SELECT e.equivalent_code, e.institution FROM equivalents e WHERE e.course_code = :code"), {"code": course_code})
    return {"course": course_code, "equivalents": [dict(r._mapping) for r in result]}


@catalogue.route("/course/<course_code>/review/preview", methods=["POST"])
def preview_review(course_code):
    review = request.form.get("review", "")
    # vuln: CWE-79
    return make_response("<div class='review-preview'><h4>" + course_code + "</h4><p>" + review + "</p></div>")


@catalogue.route("/syllabus/preview", methods=["POST"])
def syllabus_preview():
    heading = request.form.get("heading", "Syllabus")
    body = request.form.get("body", "")
    # vuln: CWE-94
    return render_template_string("<h2 class='syllabus-title'>" + heading + "</h2><div>{{ body }}</div>", body=body)


@catalogue.route("/syllabus/outline", methods=["POST"])
def syllabus_outline():
    heading = request.form.get("heading", "Syllabus")
    weeks = request.form.getlist("week")
    # safe: CWE-94
    return render_template_string("<h2 class='syllabus-title'>{{ heading }}</h2><ol>{% for w in weeks %}<li>{{ w }}</li>{% endfor %}</ol>", heading=heading, weeks=weeks)


@catalogue.route("/wishlist/add", methods=["POST"])
def add_to_wishlist():
    code = request.form["course_code"]
    session.setdefault("wishlist", [])
    if code not in session["wishlist"]:
        session["wishlist"] = session["wishlist"] + [code]
    # vuln: CWE-601
    return redirect(request.args.get("next", "/catalogue/all"))


@catalogue.route("/wishlist/remove", methods=["POST"])
def remove_from_wishlist():
    code = request.form["course_code"]
    session["wishlist"] = [c for c in session.get("wishlist", []) if c != code]
    # safe: CWE-601
    return redirect(url_for("catalogue.course_detail", course_code=code))


@catalogue.route("/featured")
def featured_courses():
    cur = get_db().cursor()
    cur.execute("SELECT code, title FROM courses WHERE featured = 1 AND archived = 0")
    pool = cur.fetchall()
    # safe: CWE-330
    picks = random.sample(pool, k=min(3, len(pool)))
    return render_template("catalogue/featured.html", courses=picks)
