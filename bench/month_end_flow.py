"""The month-end parent's visit as bench/month_end.py drives it: the URLs of the parent's month
page and of its confirm POST, and how to read the page, in one place (standard library only:
the locust user and its integration test both use it).

Today the month is `attendance_views.parent_sheets` (every sheet of the parent's children, each
open one with its confirm form) and the confirm is `parent_sheet_answer`. When the parent's
pages change (a month calendar per sheet), change `month_page`, `answer_path`, `CONFIRM` and
the two patterns below, and nothing else.
"""

from __future__ import annotations

import re

SIGN_IN = "/accounts/login/"
CONFIRM = {"answer": "confirm"}  # the confirm button's name and value
_FORM = re.compile(r'<form[^>]*action="(?P<action>/parent/sheets/(?P<sheet>\d+)/answer/)"'
                   r'.*?</form>', re.S)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')


class FlowError(Exception):
    """The page is not what a parent about to confirm would see."""


def month_page(sheet_id: int) -> str:
    """Where the parent opens the month of this sheet."""
    return "/parent/sheets/"


def answer_path(sheet_id: int) -> str:
    """Where the confirmation of this sheet is posted."""
    return f"/parent/sheets/{sheet_id}/answer/"


def offers_confirm(page: str, sheet_id: int) -> bool:
    """Whether the month page offers the confirmation of this sheet."""
    return any(int(m["sheet"]) == sheet_id for m in _FORM.finditer(page))


def confirm_form(page: str, sheet_id: int) -> tuple[str, dict[str, str]]:
    """The path and fields a browser posts when the parent presses Confirm on the month page
    (the CSRF token from the page's form); FlowError when the page offers no confirm for it."""
    for m in _FORM.finditer(page):
        if int(m["sheet"]) == sheet_id:
            token = _CSRF.search(m.group(0))
            if token is None:
                raise FlowError(f"the confirm form of sheet {sheet_id} has no CSRF token")
            if m["action"] != answer_path(sheet_id):
                raise FlowError(f"the form posts to {m['action']}, not {answer_path(sheet_id)}")
            return m["action"], {"csrfmiddlewaretoken": token["token"], **CONFIRM}
    raise FlowError(f"the month page offers no confirm for sheet {sheet_id}")


def sign_in_form(page: str, username: str, password: str) -> dict[str, str]:
    """The fields of the sign-in form, filled in."""
    token = _CSRF.search(page)
    if token is None:
        raise FlowError("the sign-in page has no CSRF token")
    return {"csrfmiddlewaretoken": token["token"], "username": username, "password": password}
