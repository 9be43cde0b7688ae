"""The pages of every role on the demo data (`goszakaz demo`): the table the page tests (formats,
the accessibility scan, nothing from another host) walk. A page added for a role is one more row."""

from __future__ import annotations

from django.test import Client

from goszakaz.cli import sample

# login of the demo -> the pages it reads; "{funding}" is the demo's funding request, "{run}" its
# allocation run
PAGES: dict[str, list[str]] = {
    "parent": ["/parent/", "/parent/vouchers/", "/parent/sheets/", "/parent/sheets/{sheet}/",
               "/parent/children/{voucher}/months/", "/parent/children/{voucher}/statement/"],
    "preschool": ["/preschool/", "/preschool/day/", "/preschool/day/?day=2024-12-31",
                  "/preschool/day/?day=2025-01-31", "/preschool/month/?month=2025-01",
                  "/preschool/disputes/", "/preschool/payments/", "/preschool/groups/",
                  "/preschool/staff/"],
    "teacher": ["/preschool/", "/preschool/day/?day=2025-01-31", "/preschool/month/"],
    "edu-taraz": ["/edu/queue/", "/edu/queue/?category=1", "/edu/queue/?q=a&sort=-name&page=2",
                  "/edu/queue/{application}/", "/edu/allocation/new/",
                  "/edu/allocation/", "/edu/allocation/{run}/",
                  "/edu/perechen/", "/edu/vouchers/", "/edu/upload/children/",
                  "/edu/exclusions/", "/edu/funding/", "/tariffs/", "/oversight/deadlines/",
                  "/oversight/money/", "/oversight/attendance/", "/oversight/queue/"],
    "edu-uralsk": ["/edu/vouchers/", "/edu/vouchers/{uralsk_voucher}/", "/edu/perechen/",
                   "/edu/perechen/{school}/", "/edu/funding/",
                   "/funding/{funding}/", "/tariffs/"],
    "operator": ["/operator/banks/", "/operator/cases/", "/operator/cases/{case}/",
                 "/operator/cases/?state=&sort=-opened", "/operator/plan/",
                 "/operator/children/", "/operator/children/{voucher}/", "/operator/cycle/",
                 "/operator/cycle/?month=2024-12",
                 "/operator/unconfirmed/?month=2024-12",
                 "/operator/funding/", "/funding/{funding}/", "/tariffs/",
                 "/oversight/deadlines/", "/oversight/money/", "/oversight/attendance/",
                 "/oversight/queue/", "/oversight/deadlines/?city=uralsk"],
    "bank": ["/bank/", "/bank/payments/"],
}
# the roles whose pages must pass every check (the "must"); staff pages are scanned too
PUBLIC_ROLES = ("parent", "preschool", "teacher")


def urls_of(login: str) -> list[str]:
    """The role's pages with the demo's ids filled in."""
    from goszakaz.attendance.models import Sheet
    from goszakaz.enrollment.models import Voucher
    from goszakaz.finance.models import FundingRequest
    from goszakaz.queue.models import AllocationRun, Application
    from goszakaz.registry.models import Preschool
    from goszakaz.verification.models import RiskCase

    funding = FundingRequest.objects.order_by("pk").values_list("pk", flat=True).first()
    sheet = Sheet.objects.filter(voucher__parent_iin=sample.PARENT_IIN).order_by("-month").first()
    school = Preschool.objects.filter(city__code="uralsk").order_by("pk").first()
    run = AllocationRun.objects.order_by("pk").values_list("pk", flat=True).first()
    case = RiskCase.objects.order_by("pk").values_list("pk", flat=True).first()
    ids = {"{funding}": funding, "{run}": run or 0, "{case}": case or 0,
           "{sheet}": sheet.pk if sheet else 0,
           "{voucher}": sheet.voucher_id if sheet else 0, "{school}": school.pk if school else 0,
           "{application}": Application.objects.filter(city__code="taraz").order_by("pk")
           .values_list("pk", flat=True).first() or 0,
           "{uralsk_voucher}": Voucher.objects.filter(city__code="uralsk").order_by("pk")
           .values_list("pk", flat=True).first() or 0}
    urls = []
    for url in PAGES[login]:
        for key, value in ids.items():
            url = url.replace(key, str(value))
        urls.append(url)
    return urls


def signed_in(login: str, language: str = "ru") -> Client:
    """A client signed in as the demo login, reading the site in the language."""
    client = Client()
    client.cookies["django_language"] = language
    answer = client.post("/accounts/login/", {"username": login, "password": sample.PASSWORD})
    assert answer.status_code == 302, login
    return client
