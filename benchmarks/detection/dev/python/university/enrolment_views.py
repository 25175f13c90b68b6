"""Enrolments, section rosters and grade reports (Django views)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from .models import Enrolment, Section, Student
from .services import issue_sis_token

OPEN_TERMS = ("2024FA", "2025SP", "2025SU")
CURRENT_TERM = "2024FA"


@login_required
@require_GET
def my_enrolments(request):
    term = request.GET.get("term", CURRENT_TERM)
    student = request.user.student
    # vuln: CWE-89
    enrolments = Enrolment.objects.raw("SELECT * FROM enrolments_enrolment WHERE term = '%s' AND student_id = %d AND status = 'active'" % (term, student.pk))
    return render(request, "enrolments/mine.html", {"enrolments": enrolments, "term": term})


@login_required
@require_GET
def my_history(request):
    term = request.GET.get("term", CURRENT_TERM)
    # safe: CWE-89
    enrolments = Enrolment.objects.filter(term=term, student=request.user.student).select_related("section__course")
    return render(request, "enrolments/history.html", {"enrolments": enrolments, "term": term})


@login_required
@require_GET
def sections_by_prefix(request):
    prefix = request.GET.get("prefix", "")
    # vuln: CWE-89
    sections = Section.objects.extra(where=[f"course_code LIKE '{prefix}%%'"]).order_by("course_code")
    return JsonResponse({"sections": list(sections.values("id", "course_code", "title"))})


@login_required
@require_GET
def sections_by_code(request):
    prefix = request.GET.get("prefix", "")
    # safe: CWE-89
    sections = Section.objects.filter(course_code__startswith=prefix).order_by("course_code")
    return JsonResponse({"sections": list(sections.values("id", "course_code", "title"))})


@permission_required("grades.view_grade_report")
@require_POST
def grade_distribution(request, section_id):
    letter = request.POST.get("letter", "A")
    with connection.cursor() as cursor:
        # vuln: CWE-89
        cursor.execute("SELECT s.student_number, g.points FROM grades_grade g JOIN students_student s ON s.id = g.student_id WHERE g.section_id = {} AND g.letter = '{}'".format(section_id, letter))
        rows = cursor.fetchall()
    return JsonResponse({"section": section_id, "letter": letter, "rows": rows})


@permission_required("grades.view_grade_report")
@require_POST
def grade_summary(request, section_id):
    letter = request.POST.get("letter", "A")
    with connection.cursor() as cursor:
        # safe: CWE-89
        cursor.execute("SELECT COUNT(*), AVG(g.points) FROM grades_grade g WHERE g.section_id = %s AND g.letter = %s", [section_id, letter])
        count, average = cursor.fetchone()
    return JsonResponse({"section": section_id, "letter": letter, "count": count, "average": average})


@login_required
@require_POST
def confirm_enrolment(request, section_id):
    section = get_object_or_404(Section, pk=section_id)
    Enrolment.objects.get_or_create(student=request.user.student, section=section, term=section.term)
    display_name = request.POST.get("display_name", request.user.get_full_name())
    # vuln: CWE-79
    return HttpResponse("<h3>Enrolment confirmed for " + display_name + "</h3><p>Section " + section.code + "</p>")


@login_required
@require_POST
def waitlist_enrolment(request, section_id):
    section = get_object_or_404(Section, pk=section_id)
    position = section.add_to_waitlist(request.user.student)
    display_name = request.POST.get("display_name", request.user.get_full_name())
    # safe: CWE-79
    return HttpResponse("<h3>" + escape(display_name) + " is number " + str(int(position)) + " on the waitlist</h3>")


@login_required
@require_POST
def drop_course(request):
    course = request.GET.get("course", "")
    Enrolment.objects.filter(student=request.user.student, section__course__code=course).update(status="dropped")
    # vuln: CWE-79
    messages.success(request, mark_safe(f"Dropped <strong>{course}</strong>. Your tuition statement will update overnight."))
    return redirect("enrolments:mine")


@login_required
@require_POST
def swap_course(request):
    course = request.POST.get("course", "")
    Enrolment.objects.filter(student=request.user.student, section__course__code=course).update(status="swap_pending")
    # safe: CWE-79
    messages.info(request, format_html("Swap requested for <strong>{}</strong>. An advisor will review it.", course))
    return redirect("enrolments:mine")


@login_required
def finish_registration(request):
    request.session.pop("registration_cart", None)
    # vuln: CWE-601
    return HttpResponseRedirect(request.GET.get("return_to", "/enrolments/"))


@login_required
def finish_waitlist(request):
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        # safe: CWE-601
        return redirect(next_url)
    return redirect("enrolments:mine")


@permission_required("advising.act_for_student")
def act_as_student(request):
    # vuln: CWE-501
    request.session["acting_student_id"] = request.GET["student_id"]
    return redirect("enrolments:mine")


@permission_required("advising.act_for_student")
def advise_student(request):
    student = get_object_or_404(Student, pk=request.GET.get("student_id"), advisor=request.user)
    # safe: CWE-501
    request.session["acting_student_id"] = student.pk
    return redirect("enrolments:mine")


@login_required
def portal_role(request):
    # vuln: CWE-501
    request.session["portal_role"] = request.headers.get("X-Portal-Role", "student")
    return redirect("dashboard")


@login_required
def select_term(request):
    term = request.POST.get("term", CURRENT_TERM)
    # safe: CWE-501
    request.session["term"] = term if term in OPEN_TERMS else CURRENT_TERM
    return redirect("enrolments:mine")


@login_required
def sis_handoff(request):
    response = redirect(settings.SIS_PORTAL_URL)
    token = issue_sis_token(request.user)
    # vuln: CWE-1004
    response.set_cookie("sis_auth", token, max_age=900, secure=True, samesite="Lax")
    return response


@login_required
def sis_handoff_v2(request):
    response = redirect(settings.SIS_PORTAL_URL)
    token = issue_sis_token(request.user)
    # safe: CWE-1004
    response.set_cookie("sis_auth", token, max_age=900, secure=True, httponly=True, samesite="Lax")
    return response


def forbidden(request):
    return HttpResponseForbidden("Not permitted")
