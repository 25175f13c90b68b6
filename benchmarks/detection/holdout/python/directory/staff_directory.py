"""Staff and promoter directory backed by the corporate LDAP."""
import os
import re

import ldap
import ldap.filter
from flask import Blueprint, abort, current_app, jsonify, request, session
from ldap3 import ALL, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPBindError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

bp = Blueprint("directory", __name__, url_prefix="/directory")

BASE_DN = "dc=tixhub,dc=example"
STAFF_OU = "ou=staff," + BASE_DN
PROMOTER_OU = "ou=promoters," + BASE_DN
GROUPS_OU = "ou=groups," + BASE_DN
ATTRS = ["cn", "mail", "telephoneNumber", "title", "departmentNumber"]


def _server():
    return Server(current_app.config["LDAP_URL"], use_ssl=True, get_info=ALL)


def _service_conn():
    return Connection(_server(), user=current_app.config["LDAP_BIND_DN"], password=os.environ["LDAP_BIND_PASSWORD"], auto_bind=True)


def _python_ldap():
    conn = ldap.initialize(current_app.config["LDAP_URL"])
    conn.simple_bind_s(current_app.config["LDAP_BIND_DN"], os.environ["LDAP_BIND_PASSWORD"])
    return conn


class DirectoryService:
    def __init__(self, conn):
        self.conn = conn

    def people_named(self, fragment):
        flt = "(&(objectClass=inetOrgPerson)(|(cn=*" + fragment + "*)(sn=*" + fragment + "*)))"
        # vuln: CWE-90
        self.conn.search(STAFF_OU, flt, search_scope=SUBTREE, attributes=ATTRS)
        return [e.entry_attributes_as_dict for e in self.conn.entries]

    def people_named_safe(self, fragment):
        frag = escape_filter_chars(fragment)
        flt = "(&(objectClass=inetOrgPerson)(|(cn=*" + frag + "*)(sn=*" + frag + "*)))"
        # safe: CWE-90
        self.conn.search(STAFF_OU, flt, search_scope=SUBTREE, attributes=ATTRS)
        return [e.entry_attributes_as_dict for e in self.conn.entries]

    def in_group(self, uid, group_cn):
        # vuln: CWE-90
        self.conn.search(GROUPS_OU, f"(&(cn={group_cn})(memberUid={uid}))", attributes=["cn"])
        return bool(self.conn.entries)

    def in_group_safe(self, uid, group_cn):
        # safe: CWE-90
        self.conn.search(GROUPS_OU, f"(&(cn={escape_filter_chars(group_cn)})(memberUid={escape_filter_chars(uid)}))", attributes=["cn"])
        return bool(self.conn.entries)


@bp.get("/staff")
def search_staff():
    name = request.args.get("name", "")
    svc = DirectoryService(_service_conn())
    return jsonify(svc.people_named(name))


@bp.get("/staff/v2")
def search_staff_v2():
    name = request.args.get("name", "")
    svc = DirectoryService(_service_conn())
    return jsonify(svc.people_named_safe(name))


@bp.get("/staff/by-uid/<uid>")
def staff_by_uid(uid):
    conn = _service_conn()
    # vuln: CWE-90
    conn.search(STAFF_OU, "(uid=%s)" % uid, attributes=ATTRS)
    if not conn.entries:
        abort(404)
    return jsonify(conn.entries[0].entry_attributes_as_dict)


@bp.get("/staff/by-employee-number/<number>")
def staff_by_employee_number(number):
    if not re.fullmatch(r"[0-9]{4,8}", number):
        abort(400)
    conn = _service_conn()
    # safe: CWE-90
    conn.search(STAFF_OU, "(employeeNumber=%s)" % number, attributes=ATTRS)
    if not conn.entries:
        abort(404)
    return jsonify(conn.entries[0].entry_attributes_as_dict)


@bp.get("/promoters/contact")
def promoter_contact():
    email = request.args.get("email", "")
    l = _python_ldap()
    # vuln: CWE-90
    results = l.search_s(PROMOTER_OU, ldap.SCOPE_SUBTREE, "(&(objectClass=person)(mail=" + email + "))", ["cn", "mail", "o"])
    return jsonify([{k: [v.decode() for v in vals] for k, vals in attrs.items()} for _, attrs in results])


@bp.get("/promoters/contact/v2")
def promoter_contact_v2():
    email = request.args.get("email", "")
    l = _python_ldap()
    # safe: CWE-90
    results = l.search_s(PROMOTER_OU, ldap.SCOPE_SUBTREE, ldap.filter.filter_format("(&(objectClass=person)(mail=%s))", [email]), ["cn", "mail", "o"])
    return jsonify([{k: [v.decode() for v in vals] for k, vals in attrs.items()} for _, attrs in results])


@bp.get("/promoters/by-company")
def promoters_by_company():
    company = request.headers.get("X-Promoter-Company", "")
    l = _python_ldap()
    query = "(&(objectClass=person)(o={0}))".format(company)
    # vuln: CWE-90
    msgid = l.search(PROMOTER_OU, ldap.SCOPE_SUBTREE, query, ["cn", "mail"])
    _, data = l.result(msgid)
    return jsonify([dn for dn, _ in data])


@bp.get("/promoters/by-company/v2")
def promoters_by_company_v2():
    company = request.headers.get("X-Promoter-Company", "")
    l = _python_ldap()
    query = "(&(objectClass=person)(o={0}))".format(ldap.filter.escape_filter_chars(company))
    # safe: CWE-90
    msgid = l.search(PROMOTER_OU, ldap.SCOPE_SUBTREE, query, ["cn", "mail"])
    _, data = l.result(msgid)
    return jsonify([dn for dn, _ in data])


@bp.post("/login")
def directory_login():
    username = request.form["username"]
    password = request.form["password"]
    if not password:
        abort(401)
    try:
        # vuln: CWE-90
        conn = Connection(_server(), user=f"uid={username},{STAFF_OU}", password=password, auto_bind=True)
    except LDAPBindError:
        abort(401)
    session["staff_uid"] = username
    conn.unbind()
    return jsonify(ok=True)


@bp.post("/login/v2")
def directory_login_v2():
    username = request.form["username"]
    password = request.form["password"]
    if not password:
        abort(401)
    try:
        # safe: CWE-90
        conn = Connection(_server(), user=f"uid={escape_rdn(username)},{STAFF_OU}", password=password, auto_bind=True)
    except LDAPBindError:
        abort(401)
    session["staff_uid"] = username
    conn.unbind()
    return jsonify(ok=True)


@bp.get("/me/groups")
def my_groups():
    uid = session.get("staff_uid")
    if not uid:
        abort(401)
    team = request.cookies.get("team", "box-office")
    svc = DirectoryService(_service_conn())
    return jsonify(member=svc.in_group(uid, team))


@bp.get("/me/groups/v2")
def my_groups_v2():
    uid = session.get("staff_uid")
    if not uid:
        abort(401)
    team = request.cookies.get("team", "box-office")
    svc = DirectoryService(_service_conn())
    return jsonify(member=svc.in_group_safe(uid, team))
