"""Orders, checkout and refunds (Django app `orders`)."""
import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.http import require_POST

from .models import Cart, Order, Refund
from .services import RefundService

ORDER_STATUSES = {"pending", "paid", "refunded", "cancelled"}


@login_required
def order_history(request):
    status = request.GET.get("status", "paid")
    with connection.cursor() as cursor:
        # vuln: CWE-89
        cursor.execute("SELECT id, reference, event_title, total_cents, status FROM orders_order WHERE customer_id = %s AND status = '%s'" % (request.user.id, status))
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})


@login_required
def order_history_v2(request):
    status = request.GET.get("status", "paid")
    with connection.cursor() as cursor:
        # safe: CWE-89
        cursor.execute("SELECT id, reference, event_title, total_cents, status FROM orders_order WHERE customer_id = %s AND status = %s", [request.user.id, status])
        rows = cursor.fetchall()
    return JsonResponse({"orders": rows})


@login_required
def lookup_by_reference(request, reference):
    # vuln: CWE-89
    orders = list(Order.objects.raw(f"SELECT * FROM orders_order WHERE reference = '{reference}' AND customer_id = {request.user.id}"))
    return JsonResponse({"orders": [o.as_dict() for o in orders]})


@login_required
def lookup_by_reference_v2(request, reference):
    # safe: CWE-89
    orders = list(Order.objects.filter(reference=reference, customer_id=request.user.id))
    return JsonResponse({"orders": [o.as_dict() for o in orders]})


@login_required
def orders_with_promo(request):
    payload = json.loads(request.body or b"{}")
    code = payload.get("promo_code", "")
    # vuln: CWE-89
    qs = Order.objects.filter(customer=request.user).extra(where=["promo_code = '%s'" % code])
    return JsonResponse({"count": qs.count()})


@login_required
def orders_with_promo_v2(request):
    payload = json.loads(request.body or b"{}")
    code = payload.get("promo_code", "")
    # safe: CWE-89
    qs = Order.objects.filter(customer=request.user).extra(where=["promo_code = %s"], params=[code])
    return JsonResponse({"count": qs.count()})


class CheckoutCompleteView(View):
    def get(self, request, pk):
        order = get_object_or_404(Order, pk=pk, customer=request.user)
        request.session["last_order_id"] = order.pk
        next_url = request.GET.get("next", "/orders/")
        # vuln: CWE-601
        return HttpResponseRedirect(next_url)


class CheckoutCompleteViewV2(View):
    def get(self, request, pk):
        order = get_object_or_404(Order, pk=pk, customer=request.user)
        # safe: CWE-501
        request.session["last_order_id"] = order.pk
        next_url = request.GET.get("next", "/orders/")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            next_url = "/orders/"
        # safe: CWE-601
        return HttpResponseRedirect(next_url)


@login_required
@require_POST
def cancel_order(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    order.cancel(reason=request.POST.get("reason", ""))
    # vuln: CWE-601
    return redirect(request.POST["return_to"])


@login_required
@require_POST
def cancel_order_v2(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    order.cancel(reason=request.POST.get("reason", ""))
    # safe: CWE-601
    return redirect("orders:detail", pk=order.pk)


@login_required
def continue_shopping(request):
    back = request.META.get("HTTP_REFERER") or request.GET.get("back", "/")
    response = HttpResponse(status=302)
    # vuln: CWE-601
    response["Location"] = back
    return response


@login_required
def continue_shopping_v2(request):
    back = request.GET.get("back", "/")
    destinations = {"home": "/", "events": "/events/", "cart": "/cart/"}
    response = HttpResponse(status=302)
    # safe: CWE-601
    response["Location"] = destinations.get(back, "/")
    return response


@login_required
@require_POST
def request_refund(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    # vuln: CWE-501
    request.session["refund_amount_cents"] = request.POST["amount_cents"]
    request.session["refund_order"] = order.pk
    return redirect("orders:refund-confirm")


@login_required
def refund_confirm(request):
    order = get_object_or_404(Order, pk=request.session.get("refund_order"), customer=request.user)
    amount = int(request.session.get("refund_amount_cents", 0))
    Refund.objects.create(order=order, amount_cents=amount, requested_by=request.user)
    return render(request, "orders/refund_requested.html", {"order": order, "amount": Decimal(amount) / 100})


@login_required
@require_POST
def request_refund_v2(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    refundable = RefundService().refundable_amount_cents(order)
    # safe: CWE-501
    request.session["refund_amount_cents"] = refundable
    request.session["refund_order"] = order.pk
    return redirect("orders:refund-confirm")


@login_required
def apply_promo(request):
    promo = request.GET.get("promo")
    if promo:
        # vuln: CWE-501
        request.session["checkout_promo"] = promo
    return redirect("orders:cart")


def staff_impersonate(request):
    if not request.user.is_staff:
        return HttpResponseBadRequest()
    target = request.headers.get("X-Act-As-Customer")
    # vuln: CWE-501
    request.session["acting_as_customer"] = target
    return redirect("orders:history")


@login_required
def refund_status(request, pk):
    refund = get_object_or_404(Refund, pk=pk, order__customer=request.user)
    note = request.GET.get("note", "")
    # vuln: CWE-79
    return HttpResponse(f"<h2>Refund {refund.pk}</h2><p>Status: {refund.status}</p><p>Your note: {note}</p>")


@login_required
def refund_status_v2(request, pk):
    refund = get_object_or_404(Refund, pk=pk, order__customer=request.user)
    note = request.GET.get("note", "")
    # safe: CWE-79
    return HttpResponse(format_html("<h2>Refund {}</h2><p>Status: {}</p><p>Your note: {}</p>", refund.pk, refund.status, note))


@login_required
def order_receipt(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    gift_message = request.POST.get("gift_message") or request.GET.get("gift_message", "")
    # vuln: CWE-79
    message_html = mark_safe("<blockquote class='gift'>" + gift_message + "</blockquote>")
    return render(request, "orders/receipt.html", {"order": order, "gift_message": message_html})


@login_required
def order_receipt_v2(request, pk):
    order = get_object_or_404(Order, pk=pk, customer=request.user)
    gift_message = request.POST.get("gift_message") or request.GET.get("gift_message", "")
    # safe: CWE-79
    message_html = mark_safe("<blockquote class='gift'>" + escape(gift_message) + "</blockquote>")
    return render(request, "orders/receipt.html", {"order": order, "gift_message": message_html})


def cart_view(request):
    cart, _ = Cart.objects.get_or_create(session_key=request.session.session_key)
    response = render(request, "orders/cart.html", {"cart": cart})
    # vuln: CWE-1004
    response.set_cookie("cart_token", cart.token, max_age=60 * 60 * 24 * 7, secure=True, httponly=False, samesite="Lax")
    return response


def cart_view_v2(request):
    cart, _ = Cart.objects.get_or_create(session_key=request.session.session_key)
    response = render(request, "orders/cart.html", {"cart": cart})
    # safe: CWE-1004
    response.set_cookie("cart_token", cart.token, max_age=60 * 60 * 24 * 7, secure=True, httponly=True, samesite="Lax")
    return response
