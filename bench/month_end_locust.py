"""The locust users of bench/month_end.py (run by it: `locust --headless -f` this file).

Parent: a parent already signed in (a session cookie made by the bench's set-up) opens the
month, presses Confirm, and lands on the page again, as a browser does; each visit is one
parent, taken from the file MONTH_END_PARENTS (session key, sheet id, login a line), never twice.
SignIn: a parent signs in with login and password (MONTH_END_PASSWORD), measured apart.
MONTH_END_FOLLOW=0: the parent does not load the page the confirm redirects to.
Every request says it came through the TLS proxy (X-Forwarded-Proto, one address a parent), as
production runs (GOSZAKAZ_PROXIES=1). MONTH_END_PACE: seconds between one user's visits (0: none).
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator

from locust import FastHttpUser, constant, constant_pacing, task
from locust.exception import StopUser

sys.path.insert(0, os.path.dirname(__file__))
from month_end_flow import (  # noqa: E402
    IN_PLACE,
    SIGN_IN,
    FlowError,
    confirm_form,
    confirmed_in_place,
    month_page,
    offers_confirm,
    sign_in_form,
)


def _parents() -> Iterator[tuple[int, str, int, str]]:
    with open(os.environ["MONTH_END_PARENTS"], encoding="utf-8", newline="") as f:
        for i, (key, sheet, login) in enumerate(csv.reader(f)):
            yield i, key, int(sheet), login


PARENTS = _parents()  # shared by every user of this process (gevent: no two take the same)
PACE = float(os.environ.get("MONTH_END_PACE", "0"))
FOLLOW = os.environ.get("MONTH_END_FOLLOW", "1") == "1"  # 0: no page after the confirm
# 1: the confirm sent as the page's htmx sends it, answered in place (no redirect, no page after)
IN_PLACE_ON = os.environ.get("MONTH_END_IN_PLACE", "0") == "1"
# the sheets a parent saw confirmed (the page no longer offers it), one id a line: the bench
# compares them with the database (none lost; a visit cut by the run's end may be missing)
DONE = open(os.environ.get("MONTH_END_DONE", os.devnull), "a", buffering=1)  # noqa: SIM115


class _Browser(FastHttpUser):
    """A browser's cookies kept by hand (Django's are Secure, and the server is reached over
    plain HTTP behind the stand-in proxy; geventhttpclient's jar does not send them)."""

    abstract = True
    wait_time = constant_pacing(PACE) if PACE else constant(0)

    def on_start(self) -> None:
        self.client.client.cookiejar = None  # the cookies below instead
        self.cookies: dict[str, str] = {}

    def keep(self, response: object) -> None:
        """The cookies a response sets (or deletes)."""
        headers = getattr(response, "headers", None)
        for line in headers.getlist("set-cookie") if headers is not None else []:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in rest.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value

    def cookie_header(self, headers: dict[str, str]) -> dict[str, str]:
        return {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def next_parent(self) -> tuple[int, str, int, str]:
        try:
            return next(PARENTS)
        except StopIteration:
            raise StopUser() from None

    def fresh(self, i: int) -> dict[str, str]:
        """A new browser (no cookies) of parent i; the headers its proxy adds."""
        self.cookies = {}
        host = self.host.split("://", 1)[1].rstrip("/")
        return {"X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
                "Origin": f"https://{host}", "Referer": f"https://{host}/"}


class Parent(_Browser):
    """Opens the month, confirms it, sees the page again."""

    @task
    def confirm_the_month(self) -> None:
        i, key, sheet, _ = self.next_parent()
        headers = self.fresh(i)
        self.cookies["sessionid"] = key  # signed in already
        with self.client.get(month_page(sheet), headers=self.cookie_header(headers),
                             name="month page", catch_response=True) as r:
            self.keep(r)
            try:
                path, fields = confirm_form(r.text or "", sheet)
            except FlowError as e:
                r.failure(str(e))
                return
        if IN_PLACE_ON:
            with self.client.post(path, data=fields,
                                  headers=self.cookie_header({**headers, **IN_PLACE}),
                                  name="confirm in place", catch_response=True) as r:
                self.keep(r)
                if r.status_code != 200 or not confirmed_in_place(r.text or ""):
                    r.failure(f"confirm in place answered {r.status_code}")
                else:
                    DONE.write(f"{sheet}\n")
            return
        with self.client.post(path, data=fields, headers=self.cookie_header(headers),
                              name="confirm", allow_redirects=False, catch_response=True) as r:
            self.keep(r)
            if r.status_code != 302:
                r.failure(f"confirm answered {r.status_code}")
                return
            after = r.headers.get("Location") or month_page(sheet)
            if not FOLLOW:  # the confirm's answer only (as a page of HTMX might): the bench
                DONE.write(f"{sheet}\n")  # checks the database for each sheet written here
                return
        with self.client.get(after, headers=self.cookie_header(headers),
                             name="month page after confirm", catch_response=True) as r:
            self.keep(r)
            if r.status_code != 200 or offers_confirm(r.text or "", sheet):
                r.failure("the sheet is still offered for confirmation")
            else:
                DONE.write(f"{sheet}\n")


class SignIn(_Browser):
    """Signs in with login and password (Django's password hash: slow on purpose)."""

    password = os.environ.get("MONTH_END_PASSWORD", "")

    @task
    def sign_in(self) -> None:
        i, _, _, login = self.next_parent()
        headers = self.fresh(i)
        with self.client.get(SIGN_IN, headers=self.cookie_header(headers),
                             name="sign-in page", catch_response=True) as r:
            self.keep(r)
            try:
                fields = sign_in_form(r.text or "", login, self.password)
            except FlowError as e:
                r.failure(str(e))
                return
        with self.client.post(SIGN_IN, data=fields, headers=self.cookie_header(headers),
                              name="sign in", allow_redirects=False, catch_response=True) as r:
            self.keep(r)
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
