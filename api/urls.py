from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.register("installations", views.InstallationViewSet, basename="installation")
router.register("repositories", views.RepositoryViewSet, basename="repository")
router.register("scans", views.ScanViewSet, basename="scan")
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
