"""The API's error answers, one declared shape for every 4xx of an operation: a message in the
client's language (Accept-Language) and the problems by field; bad input, an unreadable or too
large body answered in it too, and a missing token with its `detail` in that language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class Problem(Schema):
    """One refused part of a request: its field (dotted, "marks.3.day"), why, and for a list of
    marks the mark's index and child."""

    field: str
    detail: str
    index: int | None = Field(None, description="the position of the refused item in its list")
    child_iin: str | None = None


class Error(Schema):
    """Every error answer of an operation (400, 404, 409, 413, 422); a refusal before it runs
    (401, 429) carries its `detail` alone (api.auth.Refusal)."""

    detail: str
    errors: list[Problem] = Field(default_factory=list)


# What every operation may answer besides its own: a body that is not JSON, a body over Django's
# DATA_UPLOAD_MAX_MEMORY_SIZE, and input that does not fit the operation's schema (nothing
# changes); the refusals before it runs (401, 429) are api.auth.declare_refusals'.
ERRORS: dict[int, type[Error]] = {400: Error, 413: Error, 422: Error}


def _said(kind: str) -> str | None:
    """A pydantic error type in the reader's language (None: not one of these)."""
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Write a date as YYYY-MM-DD (a real day).")
    if kind.startswith("int") or kind in ("greater_than", "greater_than_equal", "less_than",
                                          "less_than_equal"):
        return _("Write a whole number in the allowed range.")
    return {
        "missing": _("This field is required."),
        "string_pattern_mismatch": _("The value does not have the expected format."),
        "string_too_short": _("The text is too short."),
        "string_too_long": _("The text is too long."),
        "too_short": _("The list is too short."),
        "too_long": _("The list is too long."),
        "string_type": _("Write a text value here."),
        "bool_type": _("Write true or false."),
        "bool_parsing": _("Write true or false."),
        "list_type": _("A list is expected here."),
        "model_attributes_type": _("An object is expected here."),
        "dict_type": _("An object is expected here."),
        "json_invalid": _("The body is not valid JSON."),
    }.get(kind)


def problems(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's validation errors as Problems: the field without where it came from (body,
    query, header); in an item of a list, the item's index and its field (as the refusals of
    marks name them: index 3, field "day")."""
    out = []
    for e in errors:
        loc = list(e.get("loc", ()))[1:]
        if loc and loc[0] == "body":  # the operation's parameter named body
            loc = loc[1:]
        at = next((i for i, part in enumerate(loc) if isinstance(part, int)), None)
        inner = loc[at + 1:] if at is not None else []
        out.append({"field": ".".join(map(str, inner or loc)) or "body",
                    "detail": _said(str(e.get("type", ""))) or str(e.get("msg", "")),
                    "index": loc[at] if at is not None else None, "child_iin": None})
    return out


def install(api: NinjaAPI) -> None:
    """Answer bad input (422), a body that cannot be read (400) or is too large (413) and a
    missing or unknown token (401) in the Error shape."""

    def invalid(request: HttpRequest, exc: object) -> HttpResponse:
        found = problems(list(exc.errors) if isinstance(exc, ValidationError) else [])
        return api.create_response(request, {
            "detail": _("The request is not valid: %(n)d problem(s); nothing was saved.")
            % {"n": len(found)}, "errors": found}, status=422)

    def unauthorized(request: HttpRequest, exc: object) -> HttpResponse:
        response = api.create_response(request, {  # api.auth.Refusal
            "detail": _("A valid API token is required (Authorization: Bearer …).")}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def refused(request: HttpRequest, exc: object) -> HttpResponse:
        status = exc.status_code if isinstance(exc, HttpError) else 400
        detail = _("The body is not valid JSON.") if status == 400 else str(exc)
        return api.create_response(request, {"detail": detail, "errors": []}, status=status)

    def too_big(request: HttpRequest, exc: object) -> HttpResponse:
        return api.create_response(request, {
            "detail": _("The request is larger than %(mb)d MB: send it in smaller batches.")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20 or 1}, "errors": []},
            status=413)

    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(HttpError, refused)
    api.add_exception_handler(AuthenticationError, unauthorized)
