"""Every form of every role fuzzed (issue 10, "No 500 from input"): the pages of the access
matrix, each as a role that may use it, get generated bad input — text of any kind, huge and
negative numbers, impossible dates, ids of nothing or of another's object, missing fields —
in their query string, their URL's ids and every field of every form that posts to them (the
fields read from the pages themselves). No answer is a server error; an HTML page renders whole.

It runs in CI's fuzzer stage (`-m fuzz`, HYPOTHESIS_PROFILE=fuzz): a quarter of the profile's
examples (50 under "ci", 500 under "fuzz", 1250 under "deep"), each a page, a method, a role that
may use it and its input."""

from __future__ import annotations

import datetime as dt
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
                parser = Forms(url)
                parser.feed(client.get(url).content.decode())
                for action, fields in parser.fields.items():
                    try:
                        route = resolve(action).url_name
                    except Resolver404:
                        continue
                    for field, values in fields.items():
                        if field != "csrfmiddlewaretoken":
                            found[route or ""][field] |= values
    return found


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
    fuzz = settings(max_examples=settings.default.max_examples // 4, deadline=None,
                    database=None, suppress_health_check=list(HealthCheck))

    @fuzz
    @given(name=st.sampled_from(sorted(PAGES)), data=st.data(),
           query=st.fixed_dictionaries({}, optional={q: HOSTILE for q in QUERY}))
    def check(name: str, data: st.DataObject, query: dict) -> None:
        kwargs, methods = PAGES[name]
        method = data.draw(st.sampled_from(sorted(methods)), label="method")
        who = data.draw(st.sampled_from(sorted(methods[method][0])), label="who")
        url_ids = data.draw(st.fixed_dictionaries({k: st.one_of(st.just(world.get(v, v)), IDS)
                                                   for k, v in kwargs.items()}), label="ids")
        url = reverse(name, kwargs=url_ids)
        if method == "GET":
            response = clients[who].get(url, query)
        else:
            form = data.draw(st.fixed_dictionaries(
                {}, optional={f: field_value(v) for f, v in fields[name].items()}), label="form")
            response = clients[who].post(url, form)
        where = (method, url, who, response.status_code)
        assert response.status_code < 500, where
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            assert response.content.rstrip().endswith(b"</html>"), where

    check()
