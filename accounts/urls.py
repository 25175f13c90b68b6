from django.urls import include, path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("logout/", views.sign_out, name="sign-out"),
    # Before social-auth's own routes: the same callback, with refusals explained.
    path("complete/<str:backend>/", views.complete_github, name="complete"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation"),
]

social_urlpatterns = [path("", include("social_django.urls", namespace="social"))]
