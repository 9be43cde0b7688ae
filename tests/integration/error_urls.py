"""The site's routes and one that fails: the 500 page as a reader meets it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from goszakaz.urls import urlpatterns as site


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a failure of the server's own")


urlpatterns = [*site, path("boom/", boom)]
