"""Mounted at ``api/webhooks/`` by the project's URLconf."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("github", views.github_webhook, name="github"),
]
