"""Refuse a page request carrying a NUL character in its query or form (PostgreSQL cannot store
one, and no form has a use for it): a 400 page saying so, before any view reads the input."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API = "/api/"  # the API validates its input by its schema and answers in JSON


class RefuseNullCharacters:
    """A NUL ("\\x00") in any value or name of the query string or the posted form: 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API) and _has_nul(request):
            return render(request, "web/bad_request.html", {"message": _(
                "The request contains a null character (\\0), which no field accepts. Check "
                "the text you pasted and send it again.")}, status=400)
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    sources = [request.GET] + ([request.POST] if request.method == "POST" else [])
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in v for v in values)
        for source in sources for key, values in source.lists())
