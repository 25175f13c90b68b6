"""HR directory views: Active Directory lookups and the XML benefits catalogue (Django)."""

import re

import ldap
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from ldap.filter import escape_filter_chars
from ldap3 import Connection, Server
from ldap3.utils.conv import escape_filter_chars as escape3
from lxml import etree

AD_BASE = "OU=Staff,DC=hr,DC=example,DC=org"
BENEFITS = etree.parse(settings.BENEFITS_XML)
PLAN_CODE = re.compile(r"^[A-Z]{3}-\d{2}$")
REGIONS = {"emea", "amer", "apac"}


def ad():
    connection = ldap.initialize(settings.AD_URL)
    connection.set_option(ldap.OPT_REFERRALS, 0)
    connection.simple_bind_s(settings.AD_BIND_DN, settings.AD_BIND_PASSWORD)
    return connection


def ad3():
    return Connection(Server(settings.AD_URL), settings.AD_BIND_DN, settings.AD_BIND_PASSWORD, auto_bind=True)


def employee_by_login(request, login):
    # vuln: CWE-90
    result = ad().search_s(AD_BASE, ldap.SCOPE_SUBTREE, f"(sAMAccountName={login})", ["displayName", "mail"])
    return JsonResponse({"results": [attrs for _, attrs in result]}, safe=False)


def managers_in(request):
    department = request.GET["department"]
    ldap_filter = "(&(objectCategory=person)(department=" + department + ")(directReports=*))"
    # vuln: CWE-90
    msgid = ad().search(AD_BASE, ldap.SCOPE_SUBTREE, ldap_filter)
    return JsonResponse({"msgid": msgid})


def check_membership(username, group_cn):
    conn = ad3()
    search_filter = "(&(sAMAccountName=%s)(memberOf=CN=%s,OU=Groups,DC=hr,DC=example,DC=org))" % (username, group_cn)
    # vuln: CWE-90
    return conn.search(AD_BASE, search_filter)


def can_approve(request):
    allowed = check_membership(request.user.username, request.headers.get("X-Approver-Group", "approvers"))
    return JsonResponse({"allowed": allowed})


def employee_by_phone(request):
    phone = request.POST.get("phone", "")
    conn = ad3()
    # vuln: CWE-90
    conn.search(search_base=AD_BASE, search_filter="(telephoneNumber=*" + phone + ")", attributes=["displayName"])
    return JsonResponse({"results": [e.entry_to_json() for e in conn.entries]})


def employee_by_login_safe(request, login):
    # safe: CWE-90
    result = ad().search_s(AD_BASE, ldap.SCOPE_SUBTREE, f"(sAMAccountName={escape_filter_chars(login)})", ["displayName", "mail"])
    return JsonResponse({"results": [attrs for _, attrs in result]}, safe=False)


def check_membership_safe(request):
    conn = ad3()
    search_filter = "(&(sAMAccountName=%s)(memberOf=CN=Approvers,OU=Groups,DC=hr,DC=example,DC=org))" % escape3(request.user.username)
    # safe: CWE-90
    allowed = conn.search(AD_BASE, search_filter)
    return JsonResponse({"allowed": allowed})


def disabled_accounts(request):
    # safe: CWE-90
    result = ad().search_s(AD_BASE, ldap.SCOPE_SUBTREE, "(userAccountControl:1.2.840.113556.1.4.803:=2)", ["sAMAccountName"])
    return JsonResponse({"count": len(result)})


def employee_by_number(request, number: int):
    # safe: CWE-90
    result = ad().search_s(AD_BASE, ldap.SCOPE_SUBTREE, "(employeeNumber=%d)" % int(number), ["displayName"])
    return JsonResponse({"results": [attrs for _, attrs in result]}, safe=False)


def plan_details(request):
    plan = request.GET.get("plan", "")
    # vuln: CWE-643
    nodes = BENEFITS.xpath("/benefits/plan[@code='%s']/*" % plan)
    return JsonResponse({tag.tag: tag.text for tag in nodes})


def eligible_plans(request):
    grade = request.POST["grade"]
    region = request.POST["region"]
    # vuln: CWE-643
    plans = BENEFITS.getroot().xpath(f"//plan[eligibility/grade='{grade}' and @region='{region}']/@code")
    return JsonResponse({"plans": [str(p) for p in plans]})


def dependents_limit(request):
    plan = request.COOKIES.get("selected_plan", "")
    query = "number(//plan[@code='" + plan + "']/limits/dependents)"
    evaluator = etree.XPathEvaluator(BENEFITS)
    # vuln: CWE-643
    limit = evaluator(query)
    return JsonResponse({"limit": limit})


def plan_details_safe(request):
    plan = request.GET.get("plan", "")
    if not PLAN_CODE.match(plan):
        return HttpResponseBadRequest("bad plan code")
    # safe: CWE-643
    nodes = BENEFITS.xpath("/benefits/plan[@code='%s']/*" % plan)
    return JsonResponse({tag.tag: tag.text for tag in nodes})


def eligible_plans_safe(request):
    # safe: CWE-643
    plans = BENEFITS.getroot().xpath("//plan[eligibility/grade=$grade and @region=$region]/@code", grade=request.POST["grade"], region=request.POST["region"])
    return JsonResponse({"plans": [str(p) for p in plans]})


def regional_plans(request, region):
    if region not in REGIONS:
        raise Http404
    # safe: CWE-643
    plans = BENEFITS.xpath("//plan[@region='" + region + "']/@code")
    return JsonResponse({"plans": [str(p) for p in plans]})
