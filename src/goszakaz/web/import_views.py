"""EDU's file uploads: the children list (A5, A7.3) and existing contracts (A7.10), whole or nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.enrollment.imports import import_children, import_contracts
from goszakaz.files import ImportRejected, TooManyErrors
from goszakaz.web.permissions import actor_of, permits
from goszakaz.web.views import edu_city

IMPORTS = {"children": import_children, "contracts": import_contracts}
MAX_FILE = 50 * 2**20
SHOWN = 30  # errors listed on the page; the rest are counted


class UploadForm(forms.Form):
    """A CSV (UTF-8 or Windows-1251) or XLSX file."""

    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


@permits(Action.LISTS_UPLOAD, post=Action.LISTS_UPLOAD)
def edu_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload the city's children list or its existing contracts; bad rows named by line."""
    if kind not in IMPORTS:
        raise Http404
    city = edu_city(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx") or upload.size > MAX_FILE:
            messages.error(request, _("The file must be a CSV or XLSX file under 50 MB."))
            return redirect("edu-upload", kind=kind)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(upload.read())
            try:
                with transaction.atomic():
                    result = IMPORTS[kind](city=city, path=path, skip_invalid=False,
                                           actor=actor_of(request), now=clock.now())
            except ImportRejected as e:
                for err in e.errors[:SHOWN]:
                    messages.error(request, str(err))
                messages.error(request, str(e) if isinstance(e, TooManyErrors) else _(
                    "Nothing was imported: %(n)d problem(s).") % {"n": len(e.errors)})
                return redirect("edu-upload", kind=kind)
            except ValueError as e:
                messages.error(request, str(e))
                return redirect("edu-upload", kind=kind)
        messages.success(request, _("Imported: %(c)d new, %(u)d unchanged.") % {
            "c": result.created, "u": result.unchanged})
        return redirect("edu-vouchers")
    return render(request, "web/edu_upload.html", {"form": form, "kind": kind, "city": city})
