from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("installations/<int:installation_id>/", views.installation_detail,
         name="installation"),
    path("installations/<int:installation_id>/setup/", views.installation_setup, name="setup"),
    path("setup-runs/<int:run_id>/", views.setup_run_detail, name="setup-run"),
    path("repositories/<int:github_id>/", views.repository_detail, name="repository"),
    path("repositories/<int:github_id>/toggle", views.repository_toggle,
         name="repository-toggle"),
    path("repositories/<int:github_id>/trend.svg", views.repository_trend,
         name="repository-trend"),
    path("account/", views.account, name="account"),
]
