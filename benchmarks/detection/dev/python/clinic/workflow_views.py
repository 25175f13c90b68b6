"""HR workflow automation: custom field formulas and outbound notifications (Django)."""

import ast
import json
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.views import View
from django.views.decorators.http import require_POST

from .models import Employee, Integration

SLACK_HOOK_PREFIX = "https://hooks.slack.com/services/"
PAYROLL_API = "https://payroll.internal.example.com/api"
FORMULA_FIELDS = {"annual": lambda e: e.monthly_salary * 12, "bonus": lambda e: e.monthly_salary * Decimal("0.1")}


@require_POST
def evaluate_custom_field(request, employee_id):
    employee = Employee.objects.get(pk=employee_id)
    formula = json.loads(request.body)["formula"]
    # vuln: CWE-95
    value = eval(formula, {"employee": employee, "Decimal": Decimal})
    return JsonResponse({"value": str(value)})


class ScriptedStepView(View):
    def post(self, request, step_id):
        script = request.POST["script"]
        context = {"employee": None, "result": None}
        # vuln: CWE-95
        exec(script, context)
        return JsonResponse({"result": str(context["result"])})


def render_greeting(template_expr, employee):
    code = compile("f" + repr(template_expr), "<greeting>", "eval")
    # vuln: CWE-95
    return eval(code, {"employee": employee})


def greeting(request, employee_id):
    employee = Employee.objects.get(pk=employee_id)
    return JsonResponse({"greeting": render_greeting(request.GET["template"], employee)})


def sort_key_view(request):
    key_source = request.COOKIES.get("roster_sort", "lambda e: e.last_name")
    # vuln: CWE-95
    sort_key = eval(key_source)
    names = [e.last_name for e in sorted(Employee.objects.all(), key=sort_key)]
    return JsonResponse({"names": names})


@require_POST
def evaluate_custom_field_safe(request, employee_id):
    employee = Employee.objects.get(pk=employee_id)
    field = json.loads(request.body)["field"]
    if field not in FORMULA_FIELDS:
        return HttpResponseBadRequest("unknown field")
    # safe: CWE-95
    value = FORMULA_FIELDS[field](employee)
    return JsonResponse({"value": str(value)})


def parse_thresholds(request):
    # safe: CWE-95
    thresholds = ast.literal_eval(request.GET.get("thresholds", "(1, 5, 10)"))
    return JsonResponse({"thresholds": list(thresholds)})


def default_multiplier(request):
    # safe: CWE-95
    multiplier = Decimal(request.GET.get("multiplier", "1.1"))
    return JsonResponse({"multiplier": str(multiplier)})


def sort_key_view_safe(request):
    field = request.COOKIES.get("roster_sort", "last_name")
    if field not in {"last_name", "first_name", "hired_on"}:
        field = "last_name"
    # safe: CWE-95
    names = list(Employee.objects.order_by(field).values_list("last_name", flat=True))
    return JsonResponse({"names": names})


@require_POST
def test_integration(request):
    url = request.POST["callback_url"]
    # vuln: CWE-918
    response = requests.get(url, timeout=10)
    return JsonResponse({"status": response.status_code})


def fetch_avatar(request, employee_id):
    avatar_url = json.loads(request.body or "{}").get("avatar_url", "")
    # vuln: CWE-918
    data = urllib.request.urlopen(avatar_url, timeout=5).read()
    Employee.objects.filter(pk=employee_id).update(avatar=data)
    return JsonResponse({"bytes": len(data)})


def notify(integration_url, payload):
    # vuln: CWE-918
    return requests.post(integration_url, data=json.dumps(payload), headers={"Content-Type": "application/json"}, timeout=5)


@require_POST
def notify_manager(request):
    notify(request.headers["X-Notify-Url"], {"text": "Leave request submitted"})
    return JsonResponse({"sent": True})


def payroll_proxy(request):
    path = request.GET.get("path", "summary")
    host = request.GET.get("host", "payroll.internal.example.com")
    # vuln: CWE-918
    response = requests.get("https://" + host + "/api/" + path, timeout=5)
    return JsonResponse(response.json())


@require_POST
def test_integration_safe(request):
    url = request.POST["callback_url"]
    if not url.startswith(SLACK_HOOK_PREFIX) or urlsplit(url).hostname != "hooks.slack.com":
        return HttpResponseBadRequest("only Slack webhooks are supported")
    # safe: CWE-918
    response = requests.post(url, json={"text": "Integration test"}, timeout=10, allow_redirects=False)
    return JsonResponse({"status": response.status_code})


def payroll_summary(request, employee_id: int):
    # safe: CWE-918
    response = requests.get(f"{PAYROLL_API}/employees/{int(employee_id)}/summary", timeout=5)
    return JsonResponse(response.json())


def payroll_search(request):
    query = urlencode({"q": request.GET.get("q", "")})
    # safe: CWE-918
    response = requests.get(PAYROLL_API + "/search?" + query, timeout=5)
    return JsonResponse(response.json())


def stored_integration(request, integration_id):
    integration = Integration.objects.get(pk=integration_id, owner=request.user)
    # safe: CWE-918
    response = requests.get(settings.INTEGRATION_HEALTH_URL, params={"id": integration.pk}, timeout=5)
    return JsonResponse({"status": response.status_code})
