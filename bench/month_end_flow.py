"""The month-end parent's visit as bench/month_end.py drives it: the URLs of the parent's month
page and of its confirm POST, and how to read the page, in one place (standard library only:
the locust user and its integration test both use it).

The month is `parent_views.parent_sheet` (the month as a calendar, with its confirm form while
I17's window is open) and the confirm is `parent_views.parent_sheet_answer`: a plain POST that
redirects to the month again, or, sent by htmx (`IN_PLACE` headers), answered in place with the
answer card only (`confirmed_in_place`). When the parent's pages change, change `month_page`,
`answer_path`, `CONFIRM` and the patterns below, and nothing else.
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


IN_PLACE = {"HX-Request": "true", "HX-Target": "answer"}  # what htmx adds to the confirm POST


def month_page(sheet_id: int) -> str:
    """Where the parent opens the month of this sheet."""
    return f"/parent/sheets/{sheet_id}/"


def confirmed_in_place(answer: str) -> bool:
    """Whether the confirm's in-place answer says the sheet is confirmed."""
    return 'id="answered"' in answer


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
