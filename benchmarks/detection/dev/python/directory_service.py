"""Staff directory: people lookup against LDAP and the XML org chart (Flask)."""

import ldap
from flask import Blueprint, abort, jsonify, request
from ldap.filter import escape_filter_chars, filter_format
from ldap3 import SUBTREE, Connection, Server
from ldap3.utils.conv import escape_filter_chars as ldap3_escape
from lxml import etree

directory = Blueprint("directory", __name__)
BASE_DN = "ou=people,dc=corp,dc=example,dc=com"
ORG_CHART = etree.parse("/srv/directory/orgchart.xml")
DEPARTMENTS = {"eng", "sales", "support", "finance"}


def ldap_connection():
    conn = ldap.initialize("ldaps://ldap.corp.example.com")
    conn.simple_bind_s("cn=reader,dc=corp,dc=example,dc=com", "")
    return conn


def ldap3_connection():
    return Connection(Server("ldaps://ldap.corp.example.com"), auto_bind=True)


@directory.route("/people")
def find_person():
    uid = request.args.get("uid", "")
    conn = ldap_connection()
    # vuln: CWE-90
    results = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(uid=" + uid + ")", ["cn", "mail"])
    return jsonify([attrs for _, attrs in results])


@directory.route("/people/search", methods=["POST"])
def search_people():
    surname = request.form["surname"]
    dept = request.form.get("department", "*")
    search_filter = f"(&(sn={surname}*)(departmentNumber={dept}))"
    conn = ldap3_connection()
    # vuln: CWE-90
    conn.search(BASE_DN, search_filter, SUBTREE, attributes=["cn", "mail", "telephoneNumber"])
    return jsonify([entry.entry_attributes_as_dict for entry in conn.entries])


def members_of(group_name):
    conn = ldap_connection()
    query = "(&(objectClass=groupOfNames)(cn=%s))" % group_name
    # vuln: CWE-90
    return conn.search_s("ou=groups,dc=corp,dc=example,dc=com", ldap.SCOPE_SUBTREE, query, ["member"])


@directory.route("/groups/<group_name>/members")
def group_members(group_name):
    return jsonify([attrs for _, attrs in members_of(group_name)])


@directory.route("/people/by-email", methods=["POST"])
def person_by_email():
    email = request.get_json()["email"]
    conn = ldap3_connection()
    # vuln: CWE-90
    conn.search(search_base=BASE_DN, search_filter="(mail={})".format(email), attributes=["uid"])
    return jsonify([entry.entry_attributes_as_dict for entry in conn.entries])


@directory.route("/people/safe")
def find_person_escaped():
    uid = request.args.get("uid", "")
    conn = ldap_connection()
    # safe: CWE-90
    results = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(uid=" + escape_filter_chars(uid) + ")", ["cn", "mail"])
    return jsonify([attrs for _, attrs in results])


@directory.route("/people/search/safe", methods=["POST"])
def search_people_escaped():
    surname = ldap3_escape(request.form["surname"])
    conn = ldap3_connection()
    # safe: CWE-90
    conn.search(BASE_DN, f"(sn={surname}*)", SUBTREE, attributes=["cn", "mail"])
    return jsonify([entry.entry_attributes_as_dict for entry in conn.entries])


@directory.route("/groups/<group_name>/members/safe")
def group_members_formatted(group_name):
    conn = ldap_connection()
    query = filter_format("(&(objectClass=groupOfNames)(cn=%s))", [group_name])
    # safe: CWE-90
    results = conn.search_s("ou=groups,dc=corp,dc=example,dc=com", ldap.SCOPE_SUBTREE, query, ["member"])
    return jsonify([attrs for _, attrs in results])


@directory.route("/people/active")
def active_people():
    conn = ldap_connection()
    # safe: CWE-90
    results = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(&(objectClass=person)(!(nsAccountLock=TRUE)))", ["uid"])
    return jsonify([attrs for _, attrs in results])


@directory.route("/org/manager")
def manager_of():
    employee = request.args.get("employee", "")
    # vuln: CWE-643
    nodes = ORG_CHART.xpath("//employee[@id='" + employee + "']/ancestor::employee[1]/@name")
    return jsonify([str(node) for node in nodes])


@directory.route("/org/team", methods=["POST"])
def team_members():
    team = request.form["team"]
    expression = f"//team[name='{team}']/member/text()"
    # vuln: CWE-643
    members = ORG_CHART.getroot().xpath(expression)
    return jsonify([str(member) for member in members])


def phone_for(name):
    # vuln: CWE-643
    finder = etree.XPath("//employee[@name='%s']/phone/text()" % name)
    return finder(ORG_CHART)


@directory.route("/org/phone")
def phone_lookup():
    return jsonify([str(p) for p in phone_for(request.headers.get("X-Employee-Name", ""))])


@directory.route("/org/manager/safe")
def manager_of_bound():
    employee = request.args.get("employee", "")
    # safe: CWE-643
    nodes = ORG_CHART.xpath("//employee[@id=$emp]/ancestor::employee[1]/@name", emp=employee)
    return jsonify([str(node) for node in nodes])


@directory.route("/org/department/<dept>")
def department_heads(dept):
    if dept not in DEPARTMENTS:
        abort(404)
    # safe: CWE-643
    heads = ORG_CHART.xpath(f"//department[@code='{dept}']/head/@name")
    return jsonify([str(head) for head in heads])


PHONE_QUERY = etree.XPath("//employee[@name=$name]/phone/text()")


@directory.route("/org/phone/safe")
def phone_lookup_bound():
    # safe: CWE-643
    phones = PHONE_QUERY(ORG_CHART, name=request.headers.get("X-Employee-Name", ""))
    return jsonify([str(p) for p in phones])


@directory.route("/org/floor/<int:floor>")
def people_on_floor(floor):
    # safe: CWE-643
    people = ORG_CHART.xpath("//employee[office/@floor=%d]/@name" % floor)
    return jsonify([str(p) for p in people])
