"""Every page of every role on the demo data, in ru, kk and en: dates read dd.mm.yyyy, months by
name, money as 60 000,00 ₸; nothing ISO or raw in the text a person reads; each page in the
site's frame (language, landmarks, skip link, the role's menu) (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from goszakaz.cli import sample
from goszakaz.web.bounds import BoundedDateField
from tests.pages import PAGES, signed_in, urls_of

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_MONTH = re.compile(r"\b\d{4}-\d{2}\b")
AMOUNT = re.compile(r"(-?\d[\d\u00a0.,]*)\s*(?:₸|тенге|теңге|tenge)")
GOOD_AMOUNT = re.compile(r"-?\d{1,3}(?:\u00a0\d{3})*,\d{2}")
# a number with a decimal point that is no dd.mm.yyyy date: a float or a raw amount ("60000.0.")
# (a clause's number, A7.11, is neither)
FLOAT = re.compile(r"(?<![\w.])\d+(?:\.\d+)+\.?(?!\d)")
DAY = re.compile(r"\d{2}\.\d{2}\.\d{4}")


class VisibleText(HTMLParser):
    """The text a person reads: no attributes (input values, links), no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def problems(text: str) -> list[str]:
    """What in a page's text is not written as a person reads it."""
    found = [f"ISO date {m}" for m in ISO_DAY.findall(text)]
    found += [f"month code {m}" for m in ISO_MONTH.findall(ISO_DAY.sub("", text))]
    found += [f"amount {m!r}" for m in AMOUNT.findall(text) if not GOOD_AMOUNT.fullmatch(m.strip())]
    found += [f"float {m}" for m in FLOAT.findall(text) if not DAY.fullmatch(m.rstrip("."))]
    return found


@pytest.mark.django_db
def test_every_page_of_every_role_reads_dates_and_money_as_people_write_them(taraz) -> None:
    sample.load(n_applications=50)
    seen, wrong = {}, []
    for language in ("ru", "kk", "en"):
        for login in PAGES:
            client = signed_in(login, language)
            # an allocation preview of Taraz, so that its page is read too
            if login == "edu-taraz" and language == "ru":
                made = client.post("/edu/allocation/new/", {"volume": "20", "as_of": "01.08.2024"})
                assert made.status_code == 302, made.content.decode()[:2000]
                seen["run"] = made["Location"]
            urls = urls_of(login) + ([seen["run"]] if login == "edu-taraz" else [])
            for url in urls:
                page = client.get(url)
                assert page.status_code == 200, (language, login, url, page.status_code)
                html = page.content.decode()
                # the frame of every page: its language, landmarks, skip link, the role's menu
                assert f'<html lang="{language}">' in html and '<main id="main"' in html
                assert 'class="skip" href="#main"' in html and "<nav aria-label=" in html
                text = visible(html)
                wrong += [(language, login, url, p) for p in problems(text)]
    assert wrong == [], "\n".join(map(str, wrong))
    assert "run" in seen


def test_the_page_checks_catch_what_they_are_for() -> None:
    assert problems("с 2024-12-01") == ["ISO date 2024-12-01"]
    assert problems("Табель 2024-12") == ["month code 2024-12"]
    assert problems("60000.0. тенге")
    assert problems("госзаказ 60000.0. за 21 день") == ["float 60000.0."]
    assert problems("оплачено 6000000 ₸")
    assert problems("Vp 1.234")
    assert problems("01.12.2024 10:30, 60\u00a0000,00 ₸, 1\u00a0500,50 ₸, Декабрь 2024") == []


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_dates_render_and_parse_as_dd_mm_yyyy_in_every_language(language: str) -> None:
    day = dt.date(2024, 12, 1)
    with translation.override(language):
        assert Template("{{ d }} {{ d|date:'SHORT_DATE_FORMAT' }}").render(
            Context({"d": day})) == "01.12.2024 01.12.2024"
        field = forms.DateField()
        assert field.clean("01.12.2024") == day
        assert field.clean("2024-12-01") == day
        assert str(forms.DateField().widget.format_value(day)) == "01.12.2024"


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_date_picker_keeps_its_value_iso(language: str) -> None:
    class F(forms.Form):
        on = BoundedDateField()

    with translation.override(language):
        html = str(F(initial={"on": dt.date(2024, 8, 1)})["on"])
    assert 'type="date"' in html and 'value="2024-08-01"' in html
