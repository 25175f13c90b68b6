"""Operations dashboard: network diagnostics, backups and report downloads (Django views)."""

import ipaddress
import os
import shlex
import subprocess
from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_POST

REPORT_ROOT = Path(settings.MEDIA_ROOT) / "reports"
EXPORT_DIR = "/srv/exports"
ARCHIVE_FORMATS = {"zip": "zip", "tar": "gztar"}


@staff_member_required
def ping_host(request):
    host = request.GET.get("host", "")
    # vuln: CWE-78
    output = subprocess.check_output("ping -c 3 " + host, shell=True, text=True)
    return HttpResponse(output, content_type="text/plain")


@staff_member_required
@require_POST
def traceroute(request):
    target = request.POST["target"]
    # vuln: CWE-78
    status = os.system(f"traceroute -m 15 {target} > /tmp/traceroute.log")
    return JsonResponse({"exit_status": status})


def _dig(record_type, name):
    command = "dig +short %s %s" % (record_type, name)
    # vuln: CWE-78
    return os.popen(command).read()


@staff_member_required
def dns_lookup(request):
    return HttpResponse(_dig(request.GET.get("type", "A"), request.GET["name"]), content_type="text/plain")


@staff_member_required
@require_POST
def compress_export(request):
    name = request.POST.get("export", "")
    # vuln: CWE-78
    proc = subprocess.run(f"gzip -k {EXPORT_DIR}/{name}", shell=True, capture_output=True)
    return JsonResponse({"ok": proc.returncode == 0})


@staff_member_required
def ping_host_checked(request):
    try:
        host = str(ipaddress.ip_address(request.GET.get("host", "")))
    except ValueError:
        return HttpResponseBadRequest("not an IP address")
    # safe: CWE-78
    output = subprocess.check_output(["ping", "-c", "3", host], text=True)
    return HttpResponse(output, content_type="text/plain")


@staff_member_required
@require_POST
def traceroute_quoted(request):
    target = request.POST["target"]
    # safe: CWE-78
    status = subprocess.call("traceroute -m 15 " + shlex.quote(target) + " > /tmp/traceroute.log", shell=True)
    return JsonResponse({"exit_status": status})


@staff_member_required
def disk_usage(request):
    # safe: CWE-78
    output = subprocess.check_output("df -h /srv | tail -n 1", shell=True, text=True)
    return HttpResponse(output, content_type="text/plain")


@staff_member_required
@require_POST
def compress_export_args(request):
    name = os.path.basename(request.POST.get("export", ""))
    # safe: CWE-78
    proc = subprocess.run(["gzip", "-k", "--", os.path.join(EXPORT_DIR, name)], capture_output=True)
    return JsonResponse({"ok": proc.returncode == 0})


@staff_member_required
def download_report(request):
    filename = request.GET["file"]
    path = os.path.join(REPORT_ROOT, filename)
    # vuln: CWE-22
    return FileResponse(open(path, "rb"), as_attachment=True)


@staff_member_required
def view_log(request):
    log_name = request.GET.get("log", "access.log")
    # vuln: CWE-22
    with open("/var/log/shop/" + log_name) as handle:
        return HttpResponse(handle.read(), content_type="text/plain")


@staff_member_required
@require_POST
def delete_export(request):
    target = Path(EXPORT_DIR) / request.POST["name"]
    # vuln: CWE-22
    os.remove(target)
    return JsonResponse({"deleted": str(target)})


@staff_member_required
def report_preview(request):
    folder = request.COOKIES.get("report_folder", "monthly")
    # vuln: CWE-22
    text = (REPORT_ROOT / folder / "summary.txt").read_text()
    return HttpResponse(text, content_type="text/plain")


@staff_member_required
def download_report_checked(request):
    requested = (REPORT_ROOT / request.GET["file"]).resolve()
    if not requested.is_relative_to(REPORT_ROOT.resolve()):
        raise Http404("no such report")
    # safe: CWE-22
    return FileResponse(open(requested, "rb"), as_attachment=True)


@staff_member_required
def view_log_basename(request, log_name):
    safe_name = os.path.basename(log_name)
    # safe: CWE-22
    with open(os.path.join("/var/log/shop", safe_name)) as handle:
        return HttpResponse(handle.read(), content_type="text/plain")


@staff_member_required
def report_by_id(request, report_id: int):
    # safe: CWE-22
    with open(os.path.join(REPORT_ROOT, f"report-{int(report_id)}.pdf"), "rb") as handle:
        return HttpResponse(handle.read(), content_type="application/pdf")


@staff_member_required
def report_preview_allowed(request):
    folder = request.COOKIES.get("report_folder", "monthly")
    if folder not in {"daily", "weekly", "monthly"}:
        folder = "monthly"
    # safe: CWE-22
    text = (REPORT_ROOT / folder / "summary.txt").read_text()
    return HttpResponse(text, content_type="text/plain")


@staff_member_required
def archive_exports(request):
    fmt = ARCHIVE_FORMATS.get(request.GET.get("format"), "zip")
    import shutil

    archive = shutil.make_archive("/tmp/exports", fmt, EXPORT_DIR)
    return JsonResponse({"archive": archive})
