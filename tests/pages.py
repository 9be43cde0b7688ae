"""The pages of every role on the demo data (`goszakaz demo`): the table the page tests (formats,
the accessibility scan, nothing from another host) walk. A page added for a role is one more row."""

from __future__ import annotations

from django.test import Client

from goszakaz.cli import demo

# login of the demo -> the pages it reads; "{funding}" is the demo's funding request
PAGES: dict[str, list[str]] = {
    "parent": ["/parent/", "/parent/vouchers/", "/parent/sheets/"],
    "preschool": ["/preschool/", "/preschool/day/", "/preschool/day/?day=2024-12-31",
                  "/preschool/disputes/"],
    "edu-taraz": ["/edu/queue/", "/edu/queue/?category=1", "/edu/allocation/new/",
                  "/edu/perechen/", "/edu/vouchers/", "/edu/upload/children/",
                  "/edu/exclusions/", "/edu/funding/", "/tariffs/"],
    "edu-uralsk": ["/edu/vouchers/", "/edu/perechen/", "/edu/funding/", "/funding/{funding}/",
                   "/tariffs/"],
    "operator": ["/operator/banks/", "/operator/cases/", "/operator/unconfirmed/?month=2024-12",
                 "/operator/funding/", "/funding/{funding}/", "/tariffs/"],
    "bank": ["/bank/"],
}
# the roles whose pages must pass every check (the "must"); staff pages are scanned too
PUBLIC_ROLES = ("parent", "preschool")


def urls_of(login: str) -> list[str]:
    """The role's pages with the demo's ids filled in."""
    from goszakaz.finance.models import FundingRequest

    funding = FundingRequest.objects.order_by("pk").values_list("pk", flat=True).first()
    return [u.replace("{funding}", str(funding)) for u in PAGES[login]]


def signed_in(login: str, language: str = "ru") -> Client:
    """A client signed in as the demo login, reading the site in the language."""
    client = Client()
    client.cookies["django_language"] = language
    answer = client.post("/accounts/login/", {"username": login, "password": demo.PASSWORD})
    assert answer.status_code == 302, login
    return client
