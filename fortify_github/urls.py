"""URL routes: pages, health, metrics, admin; each domain app adds its own."""

from django.contrib import admin
from django.urls import include, path

from accounts.urls import social_urlpatterns
from fortify_github import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health", views.health_view, name="health"),
    path("scans/", include("dashboard.scan_urls")),
    path("auth/", include("accounts.urls")),
    path("auth/", include(social_urlpatterns)),
    path("onboarding/", include("onboarding.urls")),
    path("github/", include("onboarding.setup_urls")),
    path("api/webhooks/", include("webhooks.urls")),
    path("api/v1/", include("api.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("django_prometheus.urls")),
    path("admin/", admin.site.urls),
]
