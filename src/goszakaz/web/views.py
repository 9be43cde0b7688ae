"""Pages of the EDU queue and of the parent's cabinet (the allocation runs: allocation_views)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from goszakaz import clock
from goszakaz import rules as rule_data
from goszakaz.access.permissions import Action
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import Voucher
from goszakaz.notifications.models import Notification
from goszakaz.queue import services
from goszakaz.queue.models import AllocationRun, Application, RunOutcome
from goszakaz.registry.models import City, Role
from goszakaz.reports import listing, lists
from goszakaz.web import staff_lists
from goszakaz.web.parent_views import cabinet_children
from goszakaz.web.permissions import actor_of, permits, require


def mask_iin(iin: str) -> str:
    """An IIN shown as its birth-date part only: 200101******."""
    return iin[:6] + "******" if iin else ""


def posted_id(value: object) -> int | None:
    """A database id sent by a form ("12"), or None for anything no row can have ("abc", "",
    "-1", "1.5", twenty digits): the page then answers with a message, not a server error."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


def edu_city(request: HttpRequest) -> City:
    """The city of the signed-in EDU user (its pages declare EDU actions)."""
    return get_object_or_404(City, code=actor_of(request).city)


def lang_of() -> str:
    """The page's language, one of ru, kk, en."""
    lang = translation.get_language() or "ru"
    return lang if lang in ("ru", "kk", "en") else "ru"


@permits(Action.HOME)
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its first page."""
    actor = actor_of(request)
    if actor.role == Role.EDU:
        return redirect("edu-queue")
    if actor.role == Role.PAR:
        return redirect("parent-cabinet")
    if actor.role == Role.OPR:
        return redirect("operator-banks")
    if actor.role == Role.BANK:
        return redirect("bank-cabinet")
    if actor.role == Role.PRE:
        return redirect("preschool-pupils")
    return render(request, "web/no_role.html", status=403)


@permits(Action.QUEUE_VIEW)
def edu_queue(request: HttpRequest) -> HttpResponse:
    """The city's queue: counts by category, and the applications (search by IIN or name,
    filters by category, state, age and year, sortable, 100 a page, XLSX)."""
    city = edu_city(request)
    shown = staff_lists.show(request, lists.edu.QUEUE, listing.Scope(city=city))
    if isinstance(shown, HttpResponse):
        return shown
    rule_set = rule_data.load(city.allocation_rules or "taraz-2024")
    counts: dict[int, int] = {}
    reasons: dict[str, int] = {}
    total = 0
    for category, reason, n in (services.queued(city).order_by().values_list("category", "reason")
                                .annotate(n=Count("id")).values_list("category", "reason", "n")):
        total += n  # one grouped read gives the categories, the reasons and the total
        if category is not None:
            counts[category] = counts.get(category, 0) + n
        if reason:
            reasons[reason] = reasons.get(reason, 0) + n
    lang = lang_of()
    categories = [{"number": c.number, "k": c.coefficient, "title": c.title[lang],
                   "count": counts.get(c.number, 0)} for c in rule_set.categories]
    shown_ids = [row.obj.pk for row in shown.rows]
    if shown_ids:  # staff reading applicants' records: logged (DESIGN rule 5)
        record(actor=actor_of(request), action=AuditAction.QUEUE_READ, at=clock.now(),
               obj_type="city", obj_id=city.code, city=city.code,
               after={"params": shown.selection.params(), "applications": shown_ids})
    runs = AllocationRun.objects.filter(city=city).order_by("-created_at")[:10]
    return render(request, "web/edu_queue.html", {
        "city": city, "categories": categories, "reasons": reasons, "list": shown,
        "runs": runs, "total": total,
    })


@permits(Action.QUEUE_VIEW)
def edu_application(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application: the child, its category and number and how they changed (T3), and what
    each allocation made of it, with the run it was in (T2), and its voucher."""
    application = get_object_or_404(Application.objects.select_related("city"),
                                     pk=application_id)
    actor = require(request, Action.QUEUE_VIEW, city=application.city.code)
    record(actor=actor, action=AuditAction.APPLICATION_READ, at=clock.now(),
           obj_type="application", obj_id=application.pk, city=application.city.code)
    outcomes = (RunOutcome.objects.filter(application=application).select_related("run")
                .order_by("-run__created_at"))
    return render(request, "web/edu_application.html", {
        "a": application, "iin": short_iin(application.child_iin),
        "category": lists.edu.category_title(application),
        "changes": application.changes.order_by("-changed_on", "-pk"),
        "outcomes": outcomes,
        "voucher": Voucher.objects.filter(application=application).first(),
        "explanation": services.explanation(application, today=clock.today(), lang=lang_of()),
    })


@permits(post=Action.QUEUE_ACTUALIZE)
def edu_actualize(request: HttpRequest) -> HttpResponse:
    """T3: recompute categories and queue numbers of the city's queue as of today."""
    city = edu_city(request)
    now = clock.now()
    with transaction.atomic():
        changed = services.actualize_queue(city=city, on=clock.local_date(now),
                                           actor=actor_of(request), now=now)
    messages.success(request, _("Queue updated: %(n)d applications changed.") % {"n": changed})
    if changed:  # what changed: the applications this update moved, with their new numbers
        return redirect(reverse("edu-queue") + f"?updated={clock.local_date(now).isoformat()}")
    return redirect("edu-queue")


@permits(Action.CABINET_VIEW)
def parent_cabinet(request: HttpRequest) -> HttpResponse:
    """The parent's front page: what waits for an answer, each child with its months, statement,
    voucher and contract one tap away; the queue applications with their number and why; and
    the messages."""
    actor, now = actor_of(request), clock.now()
    lang = lang_of()
    apps = list(Application.objects.filter(parent_iin=actor.iin).select_related("city"))
    cards = []
    for a in apps:
        record(actor=actor, action=AuditAction.APPLICATION_READ, at=now,
               obj_type="application", obj_id=a.pk, city=a.city.code)
        cards.append({"app": a, "masked_iin": mask_iin(a.child_iin),
                      "standing": services.standing(a, today=clock.local_date(now), lang=lang)})
    notes = Notification.objects.filter(recipient_role=Role.PAR, recipient_key=actor.iin)[:50]
    return render(request, "web/parent_cabinet.html", {
        "cards": cards, "notes": notes,
        "children": cabinet_children(actor.iin, clock.local_date(now))})
