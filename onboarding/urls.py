from django.urls import path

from onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("", views.start, name="start"),
    path("scan", views.free_scan, name="free-scan"),
    path("scans/<uuid:public_id>", views.scan_results, name="scan-results"),
    path("scans/<uuid:public_id>/protect", views.enable_protection, name="enable-protection"),
    path("requests/<int:pk>", views.install_request, name="install-request"),
]
