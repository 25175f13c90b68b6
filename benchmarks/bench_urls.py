"""The product's URLs plus ``POST /bench/bare``: a view that reads the body and answers 202.

It runs through the same gunicorn and the same middleware as the receiver, so its figure is
the ceiling of what any Django view can do on this machine."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from fortify_github.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    request.read()
    return HttpResponse(status=202)


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
