"""Roster / gradebook imports and exports: XML, YAML, saved report filters (Django views)."""

import base64
import csv
import io
import json
import pickle
import xml.sax
from xml.sax.handler import ContentHandler, feature_external_ges

import defusedxml.ElementTree as SafeET
import defusedxml.minidom
import jsonpickle
import yaml
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST
from lxml import etree

from .models import Enrolment, GradeEntry, Programme, Section


class GradeHandler(ContentHandler):
    def __init__(self):
        super().__init__()
        self.rows = []
        self._current = {}
        self._text = []

    def startElement(self, name, attrs):
        if name == "grade":
            self._current = {"student": attrs.get("student"), "section": attrs.get("section")}
        self._text = []

    def characters(self, content):
        self._text.append(content)

    def endElement(self, name):
        if name == "grade":
            self._current["letter"] = "".join(self._text).strip()
            self.rows.append(self._current)


def _store_rows(rows):
    for row in rows:
        GradeEntry.objects.update_or_create(student_number=row["student"], section_code=row["section"], defaults={"letter": row["letter"]})
    return len(rows)


@staff_member_required
@require_POST
def import_roster(request):
    # vuln: CWE-611
    root = etree.fromstring(request.FILES["roster"].read(), etree.XMLParser(resolve_entities=True, load_dtd=True))
    section = Section.objects.get(code=root.get("section"))
    for person in root.iter("person"):
        Enrolment.objects.get_or_create(section=section, student_number=person.findtext("id"))
    return JsonResponse({"section": section.code, "imported": len(root.findall("person"))})


@staff_member_required
@require_POST
def import_roster_v2(request):
    # safe: CWE-611
    root = etree.fromstring(request.FILES["roster"].read(), etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True))
    section = Section.objects.get(code=root.get("section"))
    for person in root.iter("person"):
        Enrolment.objects.get_or_create(section=section, student_number=person.findtext("id"))
    return JsonResponse({"section": section.code, "imported": len(root.findall("person"))})


@require_POST
def ims_enterprise_feed(request):
    # vuln: CWE-611
    tree = etree.parse(io.BytesIO(request.body), parser=etree.XMLParser(no_network=False, resolve_entities=True))
    groups = tree.getroot().findall(".//group")
    return JsonResponse({"groups": len(groups)})


@require_POST
def ims_enterprise_feed_v2(request):
    # safe: CWE-611
    root = SafeET.fromstring(request.body)
    groups = root.findall(".//group")
    return JsonResponse({"groups": len(groups)})


@staff_member_required
@require_POST
def import_grades_sax(request):
    handler = GradeHandler()
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    # vuln: CWE-611
    parser.setFeature(feature_external_ges, True)
    parser.parse(request.FILES["grades"])
    return JsonResponse({"imported": _store_rows(handler.rows)})


@staff_member_required
@require_POST
def import_grades_sax_v2(request):
    handler = GradeHandler()
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    # safe: CWE-611
    parser.setFeature(feature_external_ges, False)
    parser.parse(request.FILES["grades"])
    return JsonResponse({"imported": _store_rows(handler.rows)})


@staff_member_required
@require_POST
def import_grades_stream(request):
    rows = []
    # vuln: CWE-611
    events = etree.iterparse(request.FILES["grades"], events=("end",), tag="grade", load_dtd=True, resolve_entities=True)
    for _, el in events:
        rows.append({"student": el.get("student"), "section": el.get("section"), "letter": (el.text or "").strip()})
        el.clear()
    return JsonResponse({"imported": _store_rows(rows)})


@staff_member_required
@require_POST
def import_grades_stream_v2(request):
    rows = []
    # safe: CWE-611
    events = etree.iterparse(request.FILES["grades"], events=("end",), tag="grade", resolve_entities=False, no_network=True)
    for _, el in events:
        rows.append({"student": el.get("student"), "section": el.get("section"), "letter": (el.text or "").strip()})
        el.clear()
    return JsonResponse({"imported": _store_rows(rows)})


@staff_member_required
@require_POST
def import_timetable(request):
    # safe: CWE-611
    doc = defusedxml.minidom.parseString(request.body)
    slots = doc.getElementsByTagName("slot")
    return JsonResponse({"slots": len(slots)})


@staff_member_required
@require_POST
def import_programme(request):
    # vuln: CWE-502
    spec = yaml.load(request.FILES["programme"].read(), Loader=yaml.Loader)
    programme, _ = Programme.objects.update_or_create(code=spec["code"], defaults={"title": spec["title"], "credits": spec["credits"]})
    return JsonResponse({"programme": programme.code})


@staff_member_required
@require_POST
def import_programme_v2(request):
    # safe: CWE-502
    spec = yaml.safe_load(request.FILES["programme"].read())
    programme, _ = Programme.objects.update_or_create(code=spec["code"], defaults={"title": spec["title"], "credits": spec["credits"]})
    return JsonResponse({"programme": programme.code})


@staff_member_required
@require_POST
def import_modules(request):
    text = request.FILES["modules"].read().decode("utf-8")
    # safe: CWE-502
    modules = yaml.load(text, Loader=yaml.SafeLoader)
    return JsonResponse({"modules": len(modules or [])})


@require_GET
def saved_report(request):
    # vuln: CWE-502
    filters = pickle.loads(base64.b64decode(request.COOKIES["report_filters"]))
    rows = GradeEntry.objects.filter(**filters).values("student_number", "section_code", "letter")
    return JsonResponse({"rows": list(rows)})


@require_GET
def saved_report_v2(request):
    # safe: CWE-502
    filters = json.loads(base64.b64decode(request.COOKIES["report_filters"]))
    rows = GradeEntry.objects.filter(section_code=filters.get("section"), letter=filters.get("letter")).values("student_number", "section_code", "letter")
    return JsonResponse({"rows": list(rows)})


@require_POST
def import_lms_gradebook(request):
    # vuln: CWE-502
    gradebook = jsonpickle.decode(request.body.decode("utf-8"))
    return JsonResponse({"imported": _store_rows(gradebook.rows)})


@staff_member_required
@require_POST
def restore_snapshot(request):
    # vuln: CWE-502
    snapshot = pickle.load(request.FILES["snapshot"])
    return JsonResponse({"restored": _store_rows(snapshot["rows"])})


@require_GET
def download_export(request):
    # safe: CWE-502
    params = signing.loads(request.GET["token"], salt="grade-export", max_age=3600)
    rows = GradeEntry.objects.filter(section_code=params["section"]).values_list("student_number", "letter")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student_number", "letter"])
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="grades-{params["section"]}.csv"'
    return response
