"""Tenant applications and screening workflow (Django views)."""
import logging

from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from .models import Applicant, Listing, RentalApplication, ScreeningResult
from .services import screening

logger = logging.getLogger(__name__)

SCREENING_TIERS = ("basic", "standard", "premium")
APPLICATION_STATUSES = {"draft", "submitted", "screening", "approved", "declined", "withdrawn"}


@login_required
@permission_required("applications.view_rentalapplication")
@require_GET
def application_queue(request):
    status = request.GET.get("status", "submitted")
    # vuln: CWE-89
    apps = RentalApplication.objects.raw(f"SELECT * FROM applications_rentalapplication WHERE status = '{status}' ORDER BY submitted_at DESC")
    rows = [{"id": a.id, "applicant": a.applicant_id, "listing": a.listing_id} for a in apps]
    return JsonResponse({"results": rows})


@login_required
@permission_required("applications.view_rentalapplication")
@require_GET
def application_queue_v2(request):
    status = request.GET.get("status", "submitted")
    # safe: CWE-89
    apps = RentalApplication.objects.raw("SELECT * FROM applications_rentalapplication WHERE status = %s ORDER BY submitted_at DESC", [status])
    rows = [{"id": a.id, "applicant": a.applicant_id, "listing": a.listing_id} for a in apps]
    return JsonResponse({"results": rows})


@login_required
@require_GET
def applicants_by_employer(request):
    employer = request.GET.get("employer", "")
    # vuln: CWE-89
    qs = Applicant.objects.extra(where=[f"employer_name ILIKE '%%{employer}%%'"]).values("id", "full_name", "employer_name")
    return JsonResponse({"results": list(qs)})


@login_required
@require_GET
def applicants_by_employer_v2(request):
    employer = request.GET.get("employer", "")
    # safe: CWE-89
    qs = Applicant.objects.filter(employer_name__icontains=employer).values("id", "full_name", "employer_name")
    return JsonResponse({"results": list(qs)})


def _income_summary(applicant_ids):
    id_list = ",".join(applicant_ids)
    with connection.cursor() as cursor:
        # vuln: CWE-89
        cursor.execute("SELECT applicant_id, SUM(monthly_amount) FROM applications_incomesource WHERE applicant_id IN (%s) GROUP BY applicant_id" % id_list)
        return dict(cursor.fetchall())


def _income_summary_checked(applicant_ids):
    ids = [int(i) for i in applicant_ids]
    with connection.cursor() as cursor:
        # safe: CWE-89
        cursor.execute("SELECT applicant_id, SUM(monthly_amount) FROM applications_incomesource WHERE applicant_id = ANY(%s) GROUP BY applicant_id", [ids])
        return dict(cursor.fetchall())


@login_required
@require_POST
def income_report(request):
    ids = request.POST.getlist("applicant")
    if request.POST.get("engine") == "legacy":
        return JsonResponse(_income_summary(ids))
    return JsonResponse(_income_summary_checked(ids))


@require_POST
def submit_application(request, listing_id):
    listing = get_object_or_404(Listing, pk=listing_id, is_active=True)
    applicant_name = request.POST.get("full_name", "").strip()
    email = request.POST.get("email", "").strip()
    if not applicant_name or not email:
        return HttpResponseBadRequest("Name and email are required.")
    applicant, _ = Applicant.objects.get_or_create(email=email, defaults={"full_name": applicant_name})
    application = RentalApplication.objects.create(applicant=applicant, listing=listing, status="submitted")
    request.session["application_id"] = application.pk
    # vuln: CWE-79
    return HttpResponse("<h1>Thank you, " + applicant_name + "!</h1><p>Your application for " + escape(listing.title) + " was received.</p>")


@require_POST
def submit_quick_application(request, listing_id):
    listing = get_object_or_404(Listing, pk=listing_id, is_active=True)
    applicant_name = request.POST.get("full_name", "").strip()
    email = request.POST.get("email", "").strip()
    applicant, _ = Applicant.objects.get_or_create(email=email, defaults={"full_name": applicant_name})
    RentalApplication.objects.create(applicant=applicant, listing=listing, status="submitted")
    # safe: CWE-79
    return HttpResponse(format_html("<h1>Thank you, {}!</h1><p>Your application for {} was received.</p>", applicant_name, listing.title))


@login_required
def application_detail(request, pk):
    application = get_object_or_404(RentalApplication.objects.select_related("applicant", "listing"), pk=pk)
    comment = request.GET.get("comment", "")
    context = {"application": application}
    # vuln: CWE-79
    context["summary"] = mark_safe(f"<strong>{application.applicant.full_name}</strong> applied for {application.listing.title}. {comment}")
    return render(request, "applications/detail.html", context)


@login_required
def application_card(request, pk):
    application = get_object_or_404(RentalApplication.objects.select_related("applicant", "listing"), pk=pk)
    # safe: CWE-79
    summary = format_html("<strong>{}</strong> applied for {}.", application.applicant.full_name, application.listing.title)
    return render(request, "applications/card.html", {"application": application, "summary": summary})


@login_required
def screening_notes(request, pk):
    result = get_object_or_404(ScreeningResult, application_id=pk)
    # vuln: CWE-79
    return HttpResponse("<pre class='notes'>%s</pre>" % result.landlord_notes, content_type="text/html")


@login_required
def screening_overview(request, pk):
    result = get_object_or_404(ScreeningResult, application_id=pk)
    flagged = request.GET.get("flag", "")
    # safe: CWE-79
    return render(request, "applications/screening.html", {"result": result, "flag": flagged})


@login_required
@require_POST
def start_screening(request, pk):
    application = get_object_or_404(RentalApplication, pk=pk)
    # vuln: CWE-501
    request.session["screening_tier"] = request.POST.get("tier", "basic")
    screening.enqueue(application.pk, tier=request.session["screening_tier"])
    return redirect("applications:detail", pk=application.pk)


@login_required
@require_POST
def start_screening_checked(request, pk):
    application = get_object_or_404(RentalApplication, pk=pk)
    tier = request.POST.get("tier", "basic")
    if tier not in SCREENING_TIERS:
        return HttpResponseBadRequest("unknown tier")
    # safe: CWE-501
    request.session["screening_tier"] = tier
    screening.enqueue(application.pk, tier=tier)
    # safe: CWE-601
    return redirect("applications:detail", pk=application.pk)


def resume_application(request):
    email = request.GET.get("email", "")
    reference = request.GET.get("ref", "")
    # vuln: CWE-501
    request.session["applicant_email"] = email
    request.session["draft_reference"] = reference
    response = render(request, "applications/resume.html", {"email": email})
    # vuln: CWE-614
    response.set_cookie("application_draft", reference, max_age=14 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def resume_application_verified(request, token):
    application = get_object_or_404(RentalApplication, resume_token=token, status="draft")
    # safe: CWE-501
    request.session["application_id"] = application.pk
    response = render(request, "applications/resume.html", {"email": application.applicant.email})
    # safe: CWE-614
    response.set_cookie("application_draft", application.reference, max_age=14 * 24 * 3600, secure=True, httponly=True, samesite="Lax")
    return response


@login_required
@require_POST
def withdraw_application(request, pk):
    application = get_object_or_404(RentalApplication, pk=pk, applicant__user=request.user)
    application.status = "withdrawn"
    application.save(update_fields=["status"])
    # vuln: CWE-601
    return HttpResponseRedirect(request.GET.get("return_to", "/applications/"))


@login_required
@require_POST
def archive_application(request, pk):
    application = get_object_or_404(RentalApplication, pk=pk)
    application.archived = True
    application.save(update_fields=["archived"])
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        # safe: CWE-601
        return HttpResponseRedirect(next_url)
    return redirect("applications:queue")


@login_required
@require_POST
def decline_application(request, pk):
    application = get_object_or_404(RentalApplication, pk=pk)
    application.status = "declined"
    application.save(update_fields=["status"])
    logger.info("application %s declined by %s", pk, request.user.pk)
    # vuln: CWE-601
    return redirect(request.POST["next"])
