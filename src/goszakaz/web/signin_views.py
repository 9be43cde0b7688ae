"""Sign-in: Django's form behind django-axes' lockout, every success, failure and lockout in the
audit trail (naming the login tried and the client's address, never the password)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from goszakaz import clock
from goszakaz.access.actor import Actor
from goszakaz.access.client import address
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record


def _login_tried(request: HttpRequest) -> str:
    return str(request.POST.get("username", ""))[:64]


class SignIn(LoginView):
    """Django's sign-in page. A locked-out pair (login, address) is refused before the password
    is even checked (axes' backend); the page then becomes the lockout page (`locked_out`)."""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        record(actor=Actor.of_user(form.get_user()), action=AuditAction.LOGIN_SUCCEEDED,
               at=clock.now(), obj_type="login", obj_id=_login_tried(self.request),
               after={"address": address(self.request)})
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # refused unchecked, the pair being locked already (not the failure that locks it)
        locked = bool(getattr(self.request, "axes_locked_out", False)) and getattr(
            self.request, "axes_failures_since_start", None) is None
        record(actor=Actor(role=""), action=AuditAction.LOGIN_FAILED, at=clock.now(),
               obj_type="login", obj_id=_login_tried(self.request),
               after={"address": address(self.request), "locked_out": locked})
        return super().form_invalid(form)


def locked_out(request: HttpRequest, response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """axes' lockout answer (AXES_LOCKOUT_CALLABLE): the page in the reader's language, 429.
    The failure that starts a lockout leaves a `login.locked_out` row (axes counted it just now);
    an attempt during the lockout is a `login.failed` row marked `locked_out` (SignIn)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if getattr(request, "axes_failures_since_start", None) is not None:
        record(actor=Actor(role=""), action=AuditAction.LOGIN_LOCKED_OUT, at=clock.now(),
               obj_type="login", obj_id=_login_tried(request),
               after={"address": address(request), "minutes": minutes})
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
