"""``/github/setup``: the App's setup URL (registered on GitHub; the path must not change)."""

from django.urls import path

from onboarding import views

app_name = "setup"
urlpatterns = [
    path("setup", views.github_setup, name="github-setup"),
]
