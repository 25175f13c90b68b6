"""Staff and owner directory backed by LDAP, plus the HR roster export (Flask)."""
import os

import ldap
import ldap.filter
from flask import Blueprint, abort, current_app, jsonify, request
from ldap3 import ALL, SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars
from lxml import etree

bp = Blueprint("directory", __name__, url_prefix="/directory")

STAFF_BASE = "ou=staff,dc=rentco,dc=example"
OWNER_BASE = "ou=owners,dc=rentco,dc=example"
DEPARTMENTS = {"leasing", "maintenance", "accounts", "compliance", "it"}
OFFICES = {"austin", "denver", "portland", "raleigh"}
ROSTER_PATH = os.environ.get("HR_ROSTER_XML", "/srv/rentals/hr/roster.xml")


def _ldap3_conn():
    server = Server(current_app.config["LDAP_URL"], get_info=ALL, use_ssl=True)
    return Connection(server, user=current_app.config["LDAP_BIND_DN"], password=current_app.config["LDAP_BIND_PASSWORD"], auto_bind=True)


def _python_ldap_conn():
    conn = ldap.initialize(current_app.config["LDAP_URL"])
    conn.simple_bind_s(current_app.config["LDAP_BIND_DN"], current_app.config["LDAP_BIND_PASSWORD"])
    return conn


@bp.route("/staff/<username>")
def staff_profile(username):
    conn = _ldap3_conn()
    # vuln: CWE-90
    conn.search(STAFF_BASE, f"(&(objectClass=inetOrgPerson)(uid={username}))", search_scope=SUBTREE, attributes=["cn", "mail", "telephoneNumber", "title"])
    if not conn.entries:
        abort(404)
    return jsonify(conn.entries[0].entry_attributes_as_dict)


@bp.route("/staff/v2/<username>")
def staff_profile_v2(username):
    conn = _ldap3_conn()
    # safe: CWE-90
    conn.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(uid=%s))" % escape_filter_chars(username), search_scope=SUBTREE, attributes=["cn", "mail", "telephoneNumber", "title"])
    if not conn.entries:
        abort(404)
    return jsonify(conn.entries[0].entry_attributes_as_dict)


@bp.route("/owners/lookup")
def owner_by_email():
    email = request.args.get("email", "")
    conn = _python_ldap_conn()
    # vuln: CWE-90
    results = conn.search_s(OWNER_BASE, ldap.SCOPE_SUBTREE, "(mail=" + email + ")", ["cn", "mail", "ownerPortfolio"])
    return jsonify([{"dn": dn, "cn": attrs.get("cn", [b""])[0].decode()} for dn, attrs in results])


@bp.route("/owners/v2/lookup")
def owner_by_email_v2():
    email = request.args.get("email", "")
    conn = _python_ldap_conn()
    # safe: CWE-90
    results = conn.search_s(OWNER_BASE, ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(mail=%s)", [email]), ["cn", "mail", "ownerPortfolio"])
    return jsonify([{"dn": dn, "cn": attrs.get("cn", [b""])[0].decode()} for dn, attrs in results])


def build_team_filter(department, office):
    return "(&(objectClass=inetOrgPerson)(departmentNumber=%s)(l=%s))" % (department, office)


@bp.route("/teams")
def team_members():
    department = request.args.get("department", "leasing")
    office = request.args.get("office", "austin")
    team_filter = build_team_filter(department, office)
    conn = _ldap3_conn()
    # vuln: CWE-90
    conn.search(search_base=STAFF_BASE, search_filter=team_filter, attributes=["cn", "mail"])
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


@bp.route("/teams/v2")
def team_members_v2():
    department = request.args.get("department", "leasing")
    office = request.args.get("office", "austin")
    if department not in DEPARTMENTS or office not in OFFICES:
        abort(400)
    team_filter = build_team_filter(department, office)
    conn = _ldap3_conn()
    # safe: CWE-90
    conn.search(search_base=STAFF_BASE, search_filter=team_filter, attributes=["cn", "mail"])
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


@bp.route("/search", methods=["POST"])
def directory_search():
    body = request.get_json(force=True)
    name = body.get("name", "")
    conn = _python_ldap_conn()
    search_filter = "(|(cn=*{0}*)(sn={0})(givenName={0}))".format(name)
    # vuln: CWE-90
    msgid = conn.search_ext(STAFF_BASE, ldap.SCOPE_SUBTREE, search_filter, ["cn", "mail", "title"], sizelimit=50)
    _, data = conn.result(msgid)
    return jsonify([{"dn": dn} for dn, _ in data])


@bp.route("/search/v2", methods=["POST"])
def directory_search_v2():
    body = request.get_json(force=True)
    name = ldap.filter.escape_filter_chars(body.get("name", ""))
    conn = _python_ldap_conn()
    search_filter = "(|(cn=*{0}*)(sn={0})(givenName={0}))".format(name)
    # safe: CWE-90
    msgid = conn.search_ext(STAFF_BASE, ldap.SCOPE_SUBTREE, search_filter, ["cn", "mail", "title"], sizelimit=50)
    _, data = conn.result(msgid)
    return jsonify([{"dn": dn} for dn, _ in data])


@bp.route("/owners/login", methods=["POST"])
def owner_login():
    login = request.form.get("login", "")
    password = request.form.get("password", "")
    server = Server(current_app.config["LDAP_URL"], use_ssl=True)
    conn = Connection(server, user=current_app.config["LDAP_BIND_DN"], password=current_app.config["LDAP_BIND_PASSWORD"], auto_bind=True)
    # vuln: CWE-90
    conn.search(OWNER_BASE, "(&(objectClass=person)(|(uid=" + login + ")(mail=" + login + ")))", attributes=["uid"])
    if len(conn.entries) != 1:
        abort(401)
    user_dn = conn.entries[0].entry_dn
    if not Connection(server, user=user_dn, password=password).bind():
        abort(401)
    return jsonify({"dn": user_dn})


@bp.route("/staff/managers")
def managers():
    conn = _ldap3_conn()
    # safe: CWE-90
    conn.search(STAFF_BASE, "(&(objectClass=inetOrgPerson)(employeeType=manager))", attributes=["cn", "mail", "departmentNumber"])
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


def _roster():
    return etree.parse(ROSTER_PATH)


@bp.route("/extension/<badge>")
def extension_for_badge(badge):
    roster = _roster()
    # vuln: CWE-643
    numbers = roster.xpath(f"//employee[badge='{badge}']/extension/text()")
    return jsonify({"badge": badge, "extensions": numbers})


@bp.route("/extension/v2/<badge>")
def extension_for_badge_v2(badge):
    roster = _roster()
    # safe: CWE-643
    numbers = roster.xpath("//employee[badge=$badge]/extension/text()", badge=badge)
    return jsonify({"badge": badge, "extensions": numbers})


@bp.route("/oncall")
def on_call():
    site = request.args.get("site", "")
    week = request.args.get("week", "")
    expr = "//rota/week[@n='" + week + "']/site[@name='" + site + "']/engineer/name/text()"
    # vuln: CWE-643
    names = _roster().getroot().xpath(expr)
    return jsonify({"on_call": names})


ON_CALL_QUERY = etree.XPath("//rota/week[@n=$week]/site[@name=$site]/engineer/name/text()")


@bp.route("/oncall/v2")
def on_call_v2():
    site = request.args.get("site", "")
    week = request.args.get("week", "")
    # safe: CWE-643
    names = ON_CALL_QUERY(_roster(), week=week, site=site)
    return jsonify({"on_call": names})


class RosterService:
    def __init__(self, tree):
        self.tree = tree

    def emergency_contacts(self, property_code):
        query = "//employee[properties/code='%s']/emergencyContact" % property_code
        # vuln: CWE-643
        nodes = self.tree.xpath(query)
        return [etree.tostring(n, encoding="unicode") for n in nodes]

    def contacts_for_region(self, region_id):
        # safe: CWE-643
        nodes = self.tree.xpath("//employee[region/@id=%d]/emergencyContact" % int(region_id))
        return [etree.tostring(n, encoding="unicode") for n in nodes]


@bp.route("/emergency/<property_code>")
def emergency_contacts(property_code):
    svc = RosterService(_roster())
    if request.args.get("region"):
        return jsonify(svc.contacts_for_region(request.args["region"]))
    return jsonify(svc.emergency_contacts(property_code))
