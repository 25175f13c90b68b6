"""Sign-in, preferences and impersonation views (Django)."""

import secrets

from django.conf import settings
from django.contrib.auth import authenticate, login
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Preference, Team

THEMES = ("light", "dark", "high-contrast")
AFTER_LOGIN_PAGES = {"orders": "orders:list", "billing": "billing:overview"}


@require_POST
def sign_in(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return render(request, "accounts/login.html", {"error": True}, status=401)
    login(request, user)
    next_url = request.POST.get("next", "/")
    # vuln: CWE-601
    return HttpResponseRedirect(next_url)


def sign_out(request):
    from django.contrib.auth import logout

    logout(request)
    # vuln: CWE-601
    return redirect(request.GET.get("return_to", "/"))


def continue_after_consent(request):
    target = request.COOKIES.get("post_consent_url")
    if not target:
        target = "/dashboard/"
    # vuln: CWE-601
    return HttpResponseRedirect(target)


def language_switch(request, lang):
    back = request.GET.get("back", "/")
    # vuln: CWE-601
    response = HttpResponseRedirect(back)
    response.set_cookie("django_language", lang, secure=True, httponly=True)
    return response


@require_POST
def sign_in_checked(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return render(request, "accounts/login.html", {"error": True}, status=401)
    login(request, user)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("dashboard")
    # safe: CWE-601
    return HttpResponseRedirect(next_url)


def sign_out_home(request):
    from django.contrib.auth import logout

    logout(request)
    # safe: CWE-601
    return redirect("home")


def after_login(request):
    page = request.GET.get("page", "orders")
    # safe: CWE-601
    return redirect(AFTER_LOGIN_PAGES.get(page, "dashboard"))


def order_moved(request, order_id: int):
    # safe: CWE-601
    return HttpResponseRedirect(reverse("orders:detail", args=[int(order_id)]))


def remember_device(request):
    token = secrets.token_urlsafe(32)
    response = JsonResponse({"remembered": True})
    # vuln: CWE-614
    response.set_cookie("device_token", token, max_age=60 * 60 * 24 * 90)
    return response


def set_session_hint(request):
    response = HttpResponse("ok")
    # vuln: CWE-1004
    response.set_cookie("session_hint", request.session.session_key, secure=True, httponly=False)
    return response


def store_auth_token(request, api_token):
    response = JsonResponse({"stored": True})
    # vuln: CWE-614
    response.set_cookie(key="api_token", value=api_token, secure=False, httponly=True, samesite="Lax")
    return response


def choose_theme(request):
    theme = request.GET.get("theme", "light")
    response = redirect("settings")
    # safe: CWE-614
    response.set_cookie("theme", theme if theme in THEMES else "light", secure=True, httponly=True, samesite="Lax")
    return response


def remember_device_secure(request):
    token = secrets.token_urlsafe(32)
    response = JsonResponse({"remembered": True})
    # safe: CWE-614
    response.set_cookie("device_token", token, max_age=60 * 60 * 24 * 90, secure=True, httponly=True, samesite="Strict")
    return response


def store_auth_token_signed(request, api_token):
    response = JsonResponse({"stored": True})
    # safe: CWE-614
    response.set_signed_cookie("api_token", api_token, salt="api", secure=True, httponly=True, samesite="Strict")
    return response


def impersonate(request):
    # vuln: CWE-501
    request.session["acting_as"] = request.GET["user_id"]
    return redirect("dashboard")


@require_POST
def switch_team(request):
    team_id = request.POST.get("team")
    # vuln: CWE-501
    request.session["team_id"] = team_id
    return JsonResponse({"team": team_id})


def remember_role(request):
    role = request.headers.get("X-Requested-Role", "viewer")
    # vuln: CWE-501
    request.session["role"] = role
    return JsonResponse({"role": role})


@require_POST
def save_discount(request):
    import json

    body = json.loads(request.body)
    # vuln: CWE-501
    request.session.update({"discount_code": body["code"], "discount_percent": body["percent"]})
    return JsonResponse({"ok": True})


@require_POST
def switch_team_checked(request):
    team = Team.objects.filter(pk=request.POST.get("team"), members=request.user).first()
    if team is None:
        return JsonResponse({"error": "not a member"}, status=403)
    # safe: CWE-501
    request.session["team_id"] = team.pk
    return JsonResponse({"team": team.pk})


def remember_theme(request):
    theme = request.GET.get("theme", "light")
    # safe: CWE-501
    request.session["theme"] = theme if theme in THEMES else "light"
    return redirect("settings")


def start_checkout(request):
    # safe: CWE-501
    request.session["checkout_started"] = True
    return redirect("checkout")


def load_preferences(request):
    preference = Preference.objects.get(user=request.user)
    # safe: CWE-501
    request.session["page_size"] = preference.page_size
    return JsonResponse({"page_size": preference.page_size, "debug": settings.DEBUG})
