"""``/scans/<uuid>``: the scan page check runs link to (named ``checks:scan-detail``, the
name the check run's ``details_url`` has always had)."""

from django.urls import path

from dashboard import views

app_name = "checks"
urlpatterns = [
    path("<uuid:public_id>", views.scan_detail, name="scan-detail"),
    path("<uuid:public_id>/sarif", views.scan_sarif_export, name="scan-sarif"),
]
