from django.urls import path

from checks import views

app_name = "checks"
urlpatterns = [
    path("<uuid:public_id>", views.scan_detail, name="scan-detail"),
    path("<uuid:public_id>/sarif", views.scan_sarif_export, name="scan-sarif"),
]
