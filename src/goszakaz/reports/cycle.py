"""The month's cycle per city for the operator: the banks' lists (A7.9), the funding request
(A7.11), the city's transfer and the distribution (A7.12), the sheets' confirmation and
settlement (A7.14, A7.18), the НОБД export (A7.17) and in December the return of the balances
(A7.18); each step with its deadline and whether it was kept (domain.terms)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from goszakaz.attendance.models import FINAL, Sheet
from goszakaz.attendance.nobd_export import export_subject
from goszakaz.banking.models import MonthlyBankList
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.deadlines.services import business_days_after
from goszakaz.domain.months import first_day, last_day, month_of
from goszakaz.domain.terms import TermState, term_state
from goszakaz.finance.funding import pilot_share, request_subject
from goszakaz.finance.models import FundingRequest, Settlement
from goszakaz.finance.month_deadlines import auto_confirm_subject
from goszakaz.finance.sweep import year_end_subject
from goszakaz.registry.models import Bank, City

STEPS: dict[str, Any] = {
    "bank_list": _("The bank's list of accounts and of parents not registered"),
    "request": _("The funding request to the education department"),
    "transfer": _("The education department's transfer to the operator"),
    "distribution": _("The distribution to the children's accounts"),
    "confirmation": _("The automatic confirmation of the silent sheets"),
    "settlement": _("The payments to the preschools by the sheets"),
    "nobd": _("The sheets sent to НОБД"),
    "sweep": _("The balances of 1 January back to the operator"),
}


@dataclass(frozen=True)
class Step:
    """One step of a city's month: what, by which clause, due and done when, kept or not, and
    what it amounted to (`detail`: counts and amounts for the page; `request`: its page)."""

    key: str
    clause: str
    due: dt.date | None
    done: dt.date | None
    state: TermState
    detail: dict[str, Any]
    bank: str = ""
    request: int | None = None

    @property
    def title(self) -> str:
        """The step in the reader's words."""
        return str(STEPS[self.key])


@dataclass(frozen=True)
class CityMonth:
    """A city's month and its steps, in the order the law takes them."""

    city: City
    month: str
    steps: list[Step]


def months_of(cities: list[City], today: dt.date) -> list[str]:
    """The months of the cities' pilot periods up to today's, newest first."""
    if not cities:
        return []
    start = first_day(month_of(min(c.pilot_start for c in cities)))
    months, day = [], first_day(month_of(today))
    while day >= start:
        months.append(month_of(day))
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return months


def cycle(*, cities: list[City], month: str, today: dt.date) -> list[CityMonth]:
    """The steps of each city's month (a city whose pilot does not cover the month has none)."""
    return [CityMonth(city=c, month=month, steps=_steps(c, month, today)) for c in cities
            if pilot_share(c, month)[0] > 0]


def _steps(city: City, month: str, today: dt.date) -> list[Step]:
    terms = {(d.clause, d.subject): d for d in Deadline.objects.filter(city=city.code)
             .filter(Q(subject__endswith=f"/{month}") | Q(subject=year_end_subject(
                 first_day(month).year)) | Q(subject=auto_confirm_subject(month)))}

    def step(key: str, clause: str, subject: str, done: dt.date | None, **extra: Any) -> Step:
        term = terms.get((clause, subject))
        due = term.due_on if term is not None else None
        if term is not None and term.state == DeadlineState.MET and done is None:
            done = term.met_on
        return Step(key=key, clause=clause, due=due, done=done,
                    state=term_state(due=due, done=done, today=today), **extra)

    steps = _bank_lists(city, month, terms, step)
    made = FundingRequest.objects.filter(city=city, month=month).first()
    subject = request_subject(city, month)
    money = {"amount": made.to_accounts + made.direct, "direct": made.direct} if made else {}
    pk = made.pk if made else None
    steps.append(step("request", "A7.11", subject, made.sent_on if made else None,
                      detail=money, request=pk))
    steps.append(step("transfer", "A7.12", subject, made.transferred_on if made else None,
                      detail=money, request=pk))
    # the distribution has no term of its own: the A7.12 term (docs/readings.md)
    steps.append(step("distribution", "A7.12", subject, made.distributed_on if made else None,
                      detail={"amount": made.to_accounts} if made else {}, request=pk))
    steps.append(step("confirmation", "A7.14", auto_confirm_subject(month), None, detail={}))
    steps.append(_settlement(city, month, today))
    steps.append(step("nobd", "A7.17", export_subject(month), None, detail={}))
    if first_day(month).month == 12:
        steps.append(step("sweep", "A7.18", year_end_subject(first_day(month).year), None,
                          detail={}))
    return steps


def _bank_lists(city: City, month: str, terms: dict[tuple[str, str], Deadline],
                step: Any) -> list[Step]:
    """A7.9: one step per bank owing the city its list of the month (its deadline row)."""
    codes = sorted(s.split("/")[1] for c, s in terms if c == "A7.9" and s.startswith("bank-list/"))
    banks = {b.code: b for b in Bank.objects.filter(code__in=codes)}
    lists = {x.bank.code: x for x in MonthlyBankList.objects.filter(bank__code__in=codes,
                                                                    month=month)
             .select_related("bank")}
    steps = []
    for code in codes:
        got = lists.get(code)
        detail = ({"opened": len(got.opened), "not_registered": len(got.not_registered)}
                  if got else {})
        bank = banks.get(code)
        steps.append(step("bank_list", "A7.9", f"bank-list/{code}/{month}",
                          got.received_on if got else None, detail=detail,
                          bank=bank.name if bank else code))
    return steps


def _settlement(city: City, month: str, today: dt.date) -> Step:
    """A7.14, A7.18, I20: the month's final sheets paid to the preschools, due on the first
    working day after the month (the `tick` that confirms the silent sheets pays them, and banks
    pay on working days); done on the day the month was first settled; open while a final sheet
    waits unpaid (a sheet final later, after a dispute, is paid when it is, I20: not late); no
    term for a month without sheets (docs/readings.md)."""
    sheets = Sheet.objects.filter(city=city.code, month=month)
    counts = sheets.aggregate(n=Count("pk"), final=Count("pk", filter=Q(state__in=FINAL)))
    paid = Settlement.objects.filter(city=city.code, month=month).aggregate(
        n=Count("pk"), total=Sum("paid"), first=Min("settled_on"),
        owed=Count("pk", filter=Q(paid__lt=F("due"))))
    waiting = counts["final"] - paid["n"]
    done = paid["first"] if paid["n"] and waiting == 0 else None
    due = business_days_after(last_day(month), 1) if counts["n"] else None
    return Step(key="settlement", clause="A7.18", due=due, done=done,
                state=term_state(due=due, done=done, today=today),
                detail={"sheets": paid["n"], "amount": paid["total"] or 0,
                        "owed": paid["owed"], "waiting": waiting,
                        "not_final": counts["n"] - counts["final"]})
