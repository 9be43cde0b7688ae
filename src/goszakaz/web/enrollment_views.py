"""Pages of enrollment: the EDU Перечень and vouchers, the parent's contract, the preschool's pupils."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.services import record, record_read
from goszakaz.domain.iin import InvalidNumber, short_iin, validate_bin
from goszakaz.enrollment import services
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher, VoucherStatus
from goszakaz.queue.models import AllocationRun, RunState
from goszakaz.registry.models import Group, Preschool
from goszakaz.registry.services import RegistryError
from goszakaz.reports import listing, lists
from goszakaz.web import staff_lists
from goszakaz.web.bounds import BoundedDateField
from goszakaz.web.permissions import actor_of, permits, require
from goszakaz.web.pupil_scope import by_name, pupil_name
from goszakaz.web.views import edu_city, mask_iin, posted_id
from goszakaz.workflows import annulment, preschool_change
from goszakaz.workflows.onboarding import include_preschool


class PreschoolForm(forms.Form):
    """A4: a preschool put on (or added to) the city's Перечень."""

    bin = forms.CharField(min_length=12, max_length=12, label=gettext_lazy("BIN"))
    name = forms.CharField(max_length=300, label=gettext_lazy("Name"))
    design_capacity = forms.IntegerField(min_value=1, max_value=5000,
                                         label=gettext_lazy("Design capacity"))
    included_on = BoundedDateField(label=gettext_lazy("Included in the list on"))

    def clean_bin(self) -> str:
        value: str = self.cleaned_data["bin"]
        try:
            validate_bin(value)
        except InvalidNumber as e:
            raise forms.ValidationError(str(e)) from None
        return value


@permits(Action.PERECHEN_VIEW, post=Action.PERECHEN_INCLUDE)
def edu_perechen(request: HttpRequest) -> HttpResponse:
    """A4: the city's Перечень; include a preschool with its date of inclusion."""
    city = edu_city(request)
    form = PreschoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                include_preschool(city=city, bin_=data["bin"], name=data["name"],
                                  design_capacity=data["design_capacity"],
                                  included_on=data["included_on"], actor=actor_of(request),
                                  now=clock.now())
        except RegistryError:
            raise PermissionDenied from None  # another city's preschool
        messages.success(request, _("The preschool is on the list."))
        return redirect("edu-perechen")
    shown = staff_lists.show(request, lists.edu.PERECHEN, listing.Scope(city=city))
    if isinstance(shown, HttpResponse):
        return shown
    return render(request, "web/edu_perechen.html", {"city": city, "list": shown, "form": form})


class LifeEventForm(forms.Form):
    """A12, A13: a child moved away or died; the voucher is annulled from the date."""

    reason = forms.ChoiceField(choices=[(AnnulmentReason.MOVED.value, AnnulmentReason.MOVED.label),
                                        (AnnulmentReason.DEATH.value, AnnulmentReason.DEATH.label)],
                               label=gettext_lazy("Event"))
    on = BoundedDateField(label=gettext_lazy("Date"))


@permits(Action.VOUCHERS_VIEW, post=Action.VOUCHERS_GRANT)
def edu_vouchers(request: HttpRequest) -> HttpResponse:
    """A5: the city's vouchers (search, filters, 100 a page, XLSX); grant them from a confirmed
    allocation. A life event is recorded on the voucher's own page."""
    city, actor, now = edu_city(request), actor_of(request), clock.now()
    if request.method == "POST":
        run = get_object_or_404(AllocationRun, pk=posted_id(request.POST.get("run")) or 0,
                                city=city)
        try:
            with transaction.atomic():
                n = services.grant_from_run(run=run, actor=actor, now=now)
        except services.EnrollmentError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Vouchers granted: %(n)d.") % {"n": n})
        return redirect("edu-vouchers")
    shown = staff_lists.show(request, lists.edu.VOUCHERS, listing.Scope(city=city))
    if isinstance(shown, HttpResponse):
        return shown
    runs = AllocationRun.objects.filter(city=city, state=RunState.CONFIRMED)
    return render(request, "web/edu_vouchers.html", {"city": city, "list": shown, "runs": runs})


@permits(Action.VOUCHERS_VIEW, post=Action.VOUCHER_ANNUL)
def edu_voucher(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """One voucher: the child, its history, contracts and accounts; a life event (A12, A13)
    recorded behind a confirmation step that says what follows."""
    voucher = get_object_or_404(Voucher.objects.select_related("city", "application"),
                                pk=voucher_id)
    actor = require(request, Action.VOUCHERS_VIEW, city=voucher.city.code)
    now = clock.now()
    form = LifeEventForm(request.POST or None, initial={"on": clock.local_date(now)})
    confirm = None
    if request.method == "POST" and form.is_valid():
        require(request, Action.VOUCHER_ANNUL, city=voucher.city.code)
        reason = AnnulmentReason(form.cleaned_data["reason"])
        on = form.cleaned_data["on"]
        if request.POST.get("confirmed") != "1":
            confirm = {"reason": reason, "on": on}
        else:
            try:
                with transaction.atomic():
                    annulment.life_event(voucher=voucher, reason=reason, on=on, actor=actor,
                                         now=now)
            except services.EnrollmentError as e:
                messages.error(request, str(e))
            else:
                messages.success(request, _("The voucher is annulled."))
            return redirect("edu-voucher", voucher_id=voucher.pk)
    record_read(actor=actor, at=now, what="page:edu-voucher", city=voucher.city.code,
                children=[voucher.pk])
    return render(request, "web/edu_voucher.html", {
        "v": voucher, "iin": short_iin(voucher.child_iin), "form": form, "confirm": confirm,
        "events": [(e, VoucherStatus(e.after).label if e.after in VoucherStatus.values
                    else e.after) for e in voucher.events.order_by("at", "pk")],
        "contracts": voucher.contracts.select_related("preschool").order_by("starts_on"),
        "accounts": voucher.accounts.select_related("bank").order_by("requested_on"),
        "live": voucher.status != VoucherStatus.ANNULLED})


@permits(Action.CABINET_VIEW)
def parent_vouchers(request: HttpRequest) -> HttpResponse:
    """A6, A7.10, A11: the parent's vouchers, contracts, and the choice of a preschool."""
    actor, now = actor_of(request), clock.now()
    today = clock.local_date(now)
    cards = []
    for v in Voucher.objects.filter(parent_iin=actor.iin).select_related("city"):
        record(actor=actor, action=AuditAction.VOUCHER_READ, at=now, obj_type="voucher",
               obj_id=v.pk, city=v.city.code)
        choices = [p for p in Preschool.objects.filter(city=v.city) if p.in_perechen(today)]
        cards.append({"v": v, "masked_iin": mask_iin(v.child_iin),
                      "contracts": v.contracts.select_related("preschool").order_by("starts_on"),
                      "choices": choices})
    return render(request, "web/parent_vouchers.html", {"cards": cards, "today": today})


@permits(post=Action.CONTRACT_SIGN)
def parent_sign(request: HttpRequest, voucher_id: int) -> HttpResponse:
    """A7.10: sign a contract (or A11: move) with a chosen preschool of the Перечень."""
    voucher = get_object_or_404(Voucher, pk=voucher_id)
    actor = require(request, Action.CONTRACT_SIGN, parent_iin=voucher.parent_iin)
    preschool = Preschool.objects.filter(pk=posted_id(request.POST.get("preschool")) or 0).first()
    if preschool is None:
        messages.error(request, _("Choose a preschool from the list."))
        return redirect("parent-vouchers")
    now = clock.now()
    today = clock.local_date(now)
    try:
        with transaction.atomic():
            # A11, I8: a move to another preschool (from a contract in force, or one that has
            # ended) asked for mid-month takes effect on the 1st of the next month
            if (voucher.contracts.filter(Q(ends_on=None) | Q(ends_on__gte=today)).exists()
                    or services.is_move(voucher=voucher, preschool=preschool, on=today)):
                c = preschool_change.change_preschool(voucher=voucher, preschool=preschool,
                                                      requested_on=today, actor=actor, now=now)
            else:
                c = services.sign_contract(voucher=voucher, preschool=preschool, on=today,
                                           actor=actor, now=now)
    except services.EnrollmentError as e:
        messages.error(request, str(e))
    else:
        d = {"d": c.starts_on.strftime("%d.%m.%Y")}
        if c.starts_on == today:
            messages.success(request, _("Contract signed; it starts on %(d)s.") % d)
        elif today.day == 1:  # a 1st the current preschool has begun (I8)
            messages.success(request, _(
                "Contract signed; it starts on %(d)s: this month has begun at the current "
                "preschool, and a move takes effect on the 1st of a month (A11).") % d)
        else:
            messages.success(request, _("Contract signed; it starts on %(d)s: a move to another "
                                        "preschool takes effect on the 1st of a month (A11).") % d)
    return redirect("parent-vouchers")


@permits(Action.PUPILS_VIEW, post=Action.PUPILS_GROUP)
def preschool_pupils(request: HttpRequest) -> HttpResponse:
    """A6: the preschool's pupils by group, by name, with the contract's dates and the voucher's
    state, and its free places; the administrator puts pupils in groups (a select per pupil,
    or the checked ones at once); a teacher sees its own group only."""
    actor, now = actor_of(request), clock.now()
    preschool = get_object_or_404(Preschool.objects.select_related("city"), pk=actor.preschool)
    today = clock.local_date(now)
    contracts = list(Contract.objects.filter(preschool=preschool)
                     .filter(Q(ends_on=None) | Q(ends_on__gte=today))
                     .select_related("voucher", "group"))
    if request.method == "POST":
        _regroup(request, preschool, contracts)
        return redirect("preschool-pupils")
    in_force = sum(1 for c in contracts if c.starts_on <= today)
    if actor.group is not None:
        contracts = [c for c in contracts if c.group_id == actor.group]
    groups = list(Group.objects.filter(preschool=preschool, active=True))
    sections: list[tuple[Group | None, list[Contract]]] = [
        (g, [c for c in by_name(contracts) if c.group_id == g.pk]) for g in groups
        if actor.group in (None, g.pk)]
    if actor.group is None:
        sections.append((None, [c for c in by_name(contracts)
                                if c.group is None or not c.group.active]))
    for c in contracts:
        c.name, c.iin = pupil_name(c), short_iin(c.voucher.child_iin)  # type: ignore[attr-defined]
    record_read(actor=actor, at=now, what="page:preschool-pupils", city=preschool.city.code,
                children=[c.voucher_id for c in contracts])
    return render(request, "web/preschool_pupils.html", {
        "preschool": preschool, "sections": sections, "groups": groups, "in_force": in_force,
        "free": max(0, preschool.design_capacity - in_force), "today": today,
        "administrator": actor.group is None})


def _regroup(request: HttpRequest, preschool: Preschool, contracts: list[Contract]) -> None:
    """Save the pupils' groups: the checked ones to the chosen group ("move"), or each
    select that changed ("save")."""
    groups = {str(g.pk): g for g in Group.objects.filter(preschool=preschool, active=True)}
    groups["none"] = None  # type: ignore[assignment]
    moves: dict[str, list[int]] = {}
    if request.POST.get("do") == "move":
        to = request.POST.get("to", "")
        picked = {posted_id(v) for v in request.POST.getlist("pick")}
        moves[to] = [c.pk for c in contracts if c.pk in picked]
    else:
        for c in contracts:
            asked = request.POST.get(f"group-{c.pk}")
            if asked is not None and asked != (str(c.group_id) if c.group_id else "none"):
                moves.setdefault(asked, []).append(c.pk)
    n = 0
    try:
        with transaction.atomic():
            for to, ids in moves.items():
                if to not in groups:
                    raise services.EnrollmentError(_("Choose one of the preschool's groups in "
                                                     "use."))
                n += services.set_group(preschool=preschool, contract_ids=ids, group=groups[to],
                                        actor=actor_of(request), now=clock.now())
    except services.EnrollmentError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, _("Pupils moved: %(n)d.") % {"n": n})
