"""Every form of every role fuzzed (issue 10, "No 500 from input"): the pages of the access
matrix, each as a role that may use it, get generated bad input — text of any kind, huge and
negative numbers, impossible dates, ids of nothing or of another's object, missing fields —
in their query string, their URL's ids and every field of every form that posts to them (the
fields read from the pages themselves). No answer is a server error; an HTML page renders whole.

It runs in CI's fuzzer stage (`-m fuzz`, HYPOTHESIS_PROFILE=fuzz): half the profile's examples
(100 under "ci", 1000 under "fuzz", 2500 under "deep"), two thirds of them shared by the pages'
POSTs, a third by their GETs; each a role that may use the page and its input."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_access_matrix import PAGES, value, world  # noqa: F401 - fixture

pytestmark = pytest.mark.fuzz

# What a careless or hostile user types: the probes of issue 10 and their kin.
NASTY = ["", " ", "abc", "0", "-1", "1.5", "1,5", "1e400", "NaN", "Infinity", "-0",
         "99999999999999999", "99999999999999999999", str(2**63), str(2**63 - 1), str(2**31),
         "0001-01-01", "9999-12-31", "2024-02-30", "2024-13-01", "2024-13", "2024-00", "1900-01",
         "2024-05-03T10:00", "03.05.2024", "\x00", "a\x00b", "null", "[]", "{}", "<script>x</script>",
         "' OR 1=1 --", "%s%s%n", "٣٠٠٠", "１２", "KZ00", "=cmd|' /C calc'!A0", "x" * 5000,
         "\ud7ff", "\u202e", "confirm", "dispute", "agree", "disagree", "norm", "fee", "open",
         "close", "month", "exclusion", "confirmed", "corrected", "discard", "taraz", "halyk"]
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
)
IDS = st.sampled_from([0, 1, 2, 3, 7, 2**31, 2**63 - 1, 2**63, 10**30])  # ids in URLs
FAR_DATES = st.one_of(st.sampled_from(["9999-12-31", "0001-01-01", "2024-02-30", "1900-01-01",
                                         "2100-01-01", "2024-13-01", "9999-12-01"]),
                      st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat))
BIG_NUMBERS = st.one_of(st.sampled_from(["99999999999999999", "-1", "0", str(2**63), "1e9"]),
                        st.integers(min_value=-(2**70), max_value=2**70).map(str))
QUERY = ["day", "month", "category", "city", "page", "kind"]  # what the pages read from GET


class Forms(HTMLParser):
    """The fields of every form of a page, by the path the form posts to: name -> the values the
    page offers (options, hidden values, buttons)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.action = page, page
        self.fields: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = urlsplit(a.get("action") or self.page).path
        elif tag in ("input", "button", "textarea", "select") and a.get("name"):
            values = self.fields[self.action][a["name"]]
            if a.get("value"):
                values.add(a["value"])
            self.select = a["name"] if tag == "select" else None
        elif tag == "option" and self.select and a.get("value"):
            self.fields[self.action][self.select].add(a["value"])


def form_fields(world: dict) -> dict[str, dict[str, set[str]]]:  # noqa: F811
    """Route name -> the fields (and their offered values) of every form that posts to it, read
    from every page each role may see, plus the matrix's valid data of the route."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, (kwargs, methods) in PAGES.items():
        url = reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})
        for method, (allowed, data) in methods.items():
            for who in sorted(allowed):
                for k, v in data.items():
                    found[name][str(value(world, k, who))].add(str(value(world, v, who)))
                if method != "GET":
                    continue
                client = Client()
                client.force_login(world["users"][who])
                page = client.get(url)
                if "html" not in page.get("Content-Type", ""):
                    continue  # a document (a dispute's photo): no forms
                parser = Forms(url)
                parser.feed(page.content.decode())
                for action, fields in parser.fields.items():
                    try:
                        route = resolve(action).url_name
                    except Resolver404:
                        continue
                    for field, values in fields.items():
                        if field != "csrfmiddlewaretoken":
                            found[route or ""][field] |= values
    return found


def bad_like(valid: str) -> st.SearchStrategy[str]:
    """A bad value of the valid one's kind: a far or impossible date for a date, a huge or
    negative number for a number, anything hostile for the rest."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", valid):
        return FAR_DATES
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", valid):
        return BIG_NUMBERS
    return HOSTILE


def field_value(offered: set[str]) -> st.SearchStrategy[str]:
    """What a field gets: one of the values the page offers (so that a form's branch is
    reached), or anything hostile."""
    return st.one_of(st.sampled_from(sorted(offered)), HOSTILE) if offered else HOSTILE


def test_no_form_answers_bad_input_with_a_server_error(world) -> None:  # noqa: F811
    # covers: A3, A7.13, A7.14, A7.15
    fields = form_fields(world)
    clients = {}
    for who in {w for _, methods in PAGES.values() for allowed, _ in methods.values()
                for w in allowed}:
        clients[who] = Client(HTTP_ACCEPT_LANGUAGE="ru")
        clients[who].force_login(world["users"][who])
    pairs = [(name, method) for name, (_, methods) in sorted(PAGES.items()) for method in methods]
    posts = sum(1 for _, method in pairs if method == "POST")
    budget = settings.default.max_examples // 2  # two thirds to the forms, a third to the GETs
    for name, method in pairs:
        share = (2 * budget // 3 // posts if method == "POST"
                 else budget // 3 // (len(pairs) - posts))
        fuzz = settings(max_examples=max(share, 3), deadline=None, database=None,
                        suppress_health_check=list(HealthCheck))
        fuzz(given(data=st.data())(check_page(world, fields, clients, name, method)))()


def check_page(world: dict, fields: dict, clients: dict, name: str, method: str):  # noqa: F811
    """The check of one page and method: a role that may use it sends generated input."""
    kwargs, methods = PAGES[name]
    allowed, data_ok = methods[method]

    def check(data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(sorted(allowed)), label="who")
        url_ids = data.draw(st.fixed_dictionaries({k: st.one_of(st.just(world.get(v, v)), IDS)
                                                   for k, v in kwargs.items()}), label="ids")
        url = reverse(name, kwargs=url_ids)
        if method == "GET":
            query = data.draw(st.fixed_dictionaries({}, optional={q: HOSTILE for q in QUERY}),
                              label="query")
            response = clients[who].get(url, query)
        else:
            valid = {str(value(world, k, who)): str(value(world, v, who))
                     for k, v in data_ok.items()}
            how = data.draw(st.sampled_from(["any", "one bad", "one missing"] if valid
                                            else ["any"]), label="how")
            if how == "any":  # any of the fields, any values
                form = data.draw(st.fixed_dictionaries({}, optional={
                    f: field_value(v) for f, v in fields[name].items()}), label="form")
            else:  # the matrix's valid form with one value made bad of its kind, or left
                # out: what is wrong reaches the service behind the form
                form = dict(valid)
                field = data.draw(st.sampled_from(sorted(valid)), label="field")
                if how == "one bad":
                    form[field] = data.draw(bad_like(valid[field]), label="bad")
                else:
                    del form[field]
            response = clients[who].post(url, form)
        where = (method, url, who, response.status_code)
        assert response.status_code < 500, where
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            assert response.content.rstrip().endswith(b"</html>"), where

    return check
