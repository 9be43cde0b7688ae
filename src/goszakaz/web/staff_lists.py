"""A staff list on a page (issue 12): search, filters, sortable headers, 100 rows a page with the
total, and "export to XLSX" of exactly the selection (at once up to `listing.EXPORT_NOW` rows,
else a background job whose page shows its progress and then the file). Every page of
children's rows is an audited read (DESIGN rules 5 and 11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.services import record_read
from goszakaz.jobs import services as jobs
from goszakaz.jobs.models import Job, JobState
from goszakaz.reports import listing
from goszakaz.reports.formatting import tenge
from goszakaz.web.permissions import actor_of, permits
from goszakaz.workflows.jobs import LIST_EXPORT, export_path

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Cell:
    """A cell as shown: its text, its link, its kind (the class of the cell)."""

    text: str
    link: str | None
    kind: str


@dataclass(frozen=True)
class Row:
    """A row as shown, and the record it is (for a page's own actions)."""

    obj: Any
    cells: list[Cell]


@dataclass(frozen=True)
class Shown:
    """What the list partial (web/_staff_list.html) draws."""

    selection: listing.Selection
    page: Any
    rows: list[Row]
    headers: list[dict[str, Any]]
    filters: list[dict[str, Any]]
    actions: str  # a template drawing a row's actions, or ""
    search_hint: str  # what the search box finds; "" when the list has none


def text_of(column: listing.Column, row: Any) -> str:
    """A cell's text for a reader: dd.mm.yyyy, `60 000,00 ₸`, a blank for nothing."""
    value = column.value(row)
    if value is None or value == "":
        return ""
    if column.kind == "money":
        return tenge(int(value))  # type: ignore[call-overload]
    if column.kind == "datetime":
        return clock.local(value).strftime("%d.%m.%Y %H:%M")  # type: ignore[arg-type]
    if column.kind == "date":
        return str(value.strftime("%d.%m.%Y"))  # type: ignore[attr-defined]
    return str(value)


def show(request: HttpRequest, spec: listing.StaffList, scope: listing.Scope, *,
         actions: str = "") -> Shown | HttpResponse:
    """The list as the request selects it, or (with `export=xlsx`) its file or its export job."""
    selection = listing.select(spec, scope, request.GET)
    actor, now = actor_of(request), clock.now()
    city = scope.city.code if scope.city is not None else ""
    if request.GET.get("export") == "xlsx":
        return _export(request, selection)
    page = listing.page(selection, request.GET.get("page"))
    objects = list(page.object_list)
    if spec.prepare is not None:
        spec.prepare(objects)
    record_read(actor=actor, at=now, what=f"list:{spec.key}", city=city,
                children=listing.children_of(spec, objects),
                detail={"params": selection.params(), "page": page.number})
    current = selection.sort or spec.default_sort
    headers = [{"title": c.title, "kind": c.kind,
                "link": selection.sort_link(c.key) if c.orders else None,
                "sorted": ("descending" if current.startswith("-") else "ascending")
                if current.lstrip("-") == c.key else ""} for c in spec.columns]
    filters = [{"key": f.key, "title": f.title, "chosen": selection.chosen.get(f.key, ""),
                "choices": [(str(v), str(label)) for v, label in f.choices(scope)]}
               for f in spec.filters_for(scope)]
    rows = [Row(o, [Cell(text_of(c, o), c.link(o) if c.link else None, c.kind)
                    for c in spec.columns]) for o in objects]
    hint = str(spec.search_hint or "…") if spec.search is not None else ""
    return Shown(selection, page, rows, headers, filters, actions, hint)


def _export(request: HttpRequest, selection: listing.Selection) -> HttpResponse:
    actor, now = actor_of(request), clock.now()
    scope = selection.scope
    city = scope.city.code if scope.city is not None else ""
    if selection.queryset().count() > listing.EXPORT_NOW:
        job = jobs.submit(kind=LIST_EXPORT, actor=actor, now=now, city=city,
                          args={"list": selection.spec.key, "bank": scope.bank,
                                "within": scope.within, "params": selection.params()},
                          language=get_language() or "ru")
        return redirect("export-job", job_id=job.pk)
    data = listing.xlsx_bytes(selection)
    record_read(actor=actor, at=now, what=f"export:{selection.spec.key}", city=city,
                children=listing.children_of(selection.spec, selection.queryset()),
                detail={"params": selection.params()})
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = (f'attachment; filename="{selection.spec.key}-'
                                       f'{clock.today():%Y%m%d}.xlsx"')
    return response


def _own_job(request: HttpRequest, job_id: int) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind=LIST_EXPORT)
    if job.user_id != request.user.pk:  # one's own exports only
        raise PermissionDenied
    return job


@permits(Action.EXPORTS_VIEW)
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A large export's progress (polled by htmx while it runs), then its file."""
    job = _own_job(request, job_id)
    title = str(listing.REGISTRY[job.args["list"]].title) \
        if job.args.get("list") in listing.REGISTRY else ""
    template = "web/export_job_status.html" if request.htmx else "web/export_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "title": title,
                                      "active": job.state in (JobState.QUEUED,
                                                              JobState.RUNNING)})


@permits(Action.EXPORTS_VIEW)
def export_file(request: HttpRequest, job_id: int) -> HttpResponse:
    """A finished export's file, to the one who asked for it."""
    job = _own_job(request, job_id)
    path = export_path(job)
    if job.state != JobState.DONE or path is None or not path.exists():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type=XLSX)
    response["Content-Disposition"] = (f'attachment; filename="{job.args.get("list", "list")}-'
                                       f'{job.created_at:%Y%m%d}.xlsx"')
    return response
