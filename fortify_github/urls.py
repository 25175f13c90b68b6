"""URL routes: pages, health, metrics, admin; each domain app adds its own."""

from django.contrib import admin
from django.urls import include, path

from accounts.urls import social_urlpatterns
from fortify_github import registration_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("health", views.health_view, name="health"),
    path("health/github-integration", views.github_integration_health,
         name="health-github-integration"),
    path("health/live", views.liveness, name="health-live"),
    path("health/ready", views.readiness, name="health-ready"),
    path("metrics", views.metrics_view, name="metrics"),
    path("scans/", include("checks.urls")),
    path("auth/", include("accounts.urls")),
    path("auth/", include(social_urlpatterns)),
    path("onboarding/", include("onboarding.urls")),
    path("github/app/register", registration_views.app_register, name="github-app-register"),
    path("github/app/registered", registration_views.app_registered,
         name="github-app-registered"),
    path("github/", include("onboarding.setup_urls")),
    path("api/webhooks/", include("webhooks.urls")),
    path("admin/", admin.site.urls),
]
