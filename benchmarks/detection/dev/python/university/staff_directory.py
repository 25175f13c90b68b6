"""Staff directory (LDAP) and the course handbook / campus map lookups (Flask + lxml)."""

import ldap
import ldap.filter
from flask import Blueprint, abort, current_app, jsonify, request
from ldap3 import ALL, SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars
from lxml import etree

directory = Blueprint("directory", __name__, url_prefix="/directory")

LDAP_URI = "ldaps://ldap.campus.example.edu"
STAFF_BASE = "ou=staff,dc=campus,dc=example,dc=edu"
PEOPLE_DN = "ou=people,dc=campus,dc=example,dc=edu"
GROUPS_BASE = "ou=groups,dc=campus,dc=example,dc=edu"
LDAP_BIND_DN = "cn=directory-app,ou=services,dc=campus,dc=example,dc=edu"
# vuln: CWE-798
LDAP_BIND_PASSWORD = "D1r3ct0ry!Svc#2024-Campus"
DEPARTMENTS = {"physics", "history", "nursing", "computing", "law", "music"}
STAFF_ATTRS = ["cn", "mail", "telephoneNumber", "title", "ou"]

HANDBOOK = etree.parse("/srv/catalogue/handbook.xml")
CAMPUS_MAP = etree.parse("/srv/facilities/campus_map.xml")
STAFF_DOC = etree.parse("/srv/hr/staff_export.xml")
FIND_PHONE = etree.XPath("//staff[email=$email]/phone/text()")


def ldap3_connection():
    server = Server(LDAP_URI, get_info=ALL, use_ssl=True)
    return Connection(server, LDAP_BIND_DN, LDAP_BIND_PASSWORD, auto_bind=True)


def member_filter(group):
    return "(&(objectClass=inetOrgPerson)(memberOf=cn={},{}))".format(group, GROUPS_BASE)


@directory.route("/people")
def search_people():
    name = request.args.get("name", "")
    conn = ldap3_connection()
    # vuln: CWE-90
    conn.search(STAFF_BASE, f"(&(objectClass=inetOrgPerson)(cn=*{name}*))", search_scope=SUBTREE, attributes=STAFF_ATTRS)
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


@directory.route("/people/v2")
def search_people_v2():
    name = request.args.get("name", "")
    conn = ldap3_connection()
    # safe: CWE-90
    conn.search(STAFF_BASE, f"(&(objectClass=inetOrgPerson)(cn=*{escape_filter_chars(name)}*))", search_scope=SUBTREE, attributes=STAFF_ATTRS)
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


@directory.route("/login-dn", methods=["POST"])
def resolve_login_dn():
    username = request.form["username"]
    l = ldap.initialize(LDAP_URI)
    l.simple_bind_s(LDAP_BIND_DN, LDAP_BIND_PASSWORD)
    # vuln: CWE-90
    result = l.search_s(PEOPLE_DN, ldap.SCOPE_SUBTREE, "(uid=" + username + ")", ["dn"])
    return jsonify({"found": len(result) == 1})


@directory.route("/login-dn/v2", methods=["POST"])
def resolve_login_dn_v2():
    username = request.form["username"]
    l = ldap.initialize(LDAP_URI)
    l.simple_bind_s(LDAP_BIND_DN, LDAP_BIND_PASSWORD)
    # safe: CWE-90
    result = l.search_s(PEOPLE_DN, ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(uid=%s)", [username]), ["dn"])
    return jsonify({"found": len(result) == 1})


@directory.route("/departments/<dept>/faculty")
def faculty_by_department(dept):
    l = ldap.initialize(LDAP_URI)
    l.simple_bind_s(LDAP_BIND_DN, LDAP_BIND_PASSWORD)
    # vuln: CWE-90
    entries = l.search_s(STAFF_BASE, ldap.SCOPE_SUBTREE, "(&(ou=%s)(employeeType=faculty))" % dept, STAFF_ATTRS)
    return jsonify([attrs for _, attrs in entries])


@directory.route("/departments/<dept>/staff")
def staff_by_department(dept):
    if dept not in DEPARTMENTS:
        abort(404)
    l = ldap.initialize(LDAP_URI)
    l.simple_bind_s(LDAP_BIND_DN, LDAP_BIND_PASSWORD)
    # safe: CWE-90
    entries = l.search_s(STAFF_BASE, ldap.SCOPE_SUBTREE, "(&(ou=%s)(employeeType=staff))" % dept, STAFF_ATTRS)
    return jsonify([attrs for _, attrs in entries])


@directory.route("/groups/members", methods=["POST"])
def group_members():
    group = request.get_json(force=True).get("group", "")
    conn = ldap3_connection()
    # vuln: CWE-90
    conn.search(STAFF_BASE, member_filter(group), search_scope=SUBTREE, attributes=["cn", "mail"])
    return jsonify([e.entry_attributes_as_dict for e in conn.entries])


@directory.route("/groups")
def list_groups():
    conn = ldap3_connection()
    # safe: CWE-90
    conn.search(GROUPS_BASE, "(objectClass=groupOfNames)", search_scope=SUBTREE, attributes=["cn", "description"])
    return jsonify(sorted(str(e.cn) for e in conn.entries))


@directory.route("/handbook/<code>/title")
def handbook_title(code):
    # vuln: CWE-643
    titles = HANDBOOK.xpath(f"//course[@code='{code}']/title/text()")
    return jsonify({"code": code, "title": titles[0] if titles else None})


@directory.route("/handbook/<code>/outcomes")
def handbook_outcomes(code):
    # safe: CWE-643
    outcomes = HANDBOOK.xpath("//course[@code=$code]/outcomes/outcome/text()", code=code)
    return jsonify({"code": code, "outcomes": [str(o) for o in outcomes]})


@directory.route("/handbook/by-credits")
def handbook_by_credits():
    credits = request.args.get("credits", "15")
    # safe: CWE-643
    codes = HANDBOOK.xpath(f"//course[@credits={int(credits)}]/@code")
    return jsonify(sorted(str(c) for c in codes))


@directory.route("/handbook/publications")
def publications_by_author():
    author = request.args.get("author", "")
    # vuln: CWE-643
    titles = HANDBOOK.getroot().xpath("//publication[author='%s']/title/text()" % author)
    return jsonify([str(t) for t in titles])


@directory.route("/phone")
def staff_phone():
    email = request.args.get("email", "")
    # vuln: CWE-643
    phones = STAFF_DOC.xpath("//staff[email='" + email + "']/phone/text()")
    return jsonify({"email": email, "phones": [str(p) for p in phones]})


@directory.route("/phone/v2")
def staff_phone_v2():
    email = request.args.get("email", "")
    # safe: CWE-643
    phones = FIND_PHONE(STAFF_DOC, email=email)
    return jsonify({"email": email, "phones": [str(p) for p in phones]})


@directory.route("/rooms/<building>")
def rooms_in_building(building):
    # vuln: CWE-643
    rooms = etree.XPath("//room[@building='%s']/@id" % building)(CAMPUS_MAP)
    return jsonify(sorted(str(r) for r in rooms))


@directory.route("/rooms/accessible")
def accessible_rooms():
    # safe: CWE-643
    rooms = CAMPUS_MAP.xpath("//room[@accessible='true']/@id")
    current_app.logger.debug("accessible rooms: %d", len(rooms))
    return jsonify(sorted(str(r) for r in rooms))
