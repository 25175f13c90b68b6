from django.urls import path

from installations import views

app_name = "installations"
urlpatterns = [
    path("setup", views.github_setup, name="github-setup"),
]
