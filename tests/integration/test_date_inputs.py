"""Date pickers keep ISO values in every language, while the dates a person reads stay dd.mm.yyyy
(issue 12: the allocation form dropped its date in Russian)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.test import Client
from django.utils import translation

import goszakaz.web

SENT = ("2026-12-01", "01.12.2026", dt.date(2026, 12, 1))


def date_pickers() -> list[tuple[str, str, forms.Field]]:
    """Every form field of the web pages drawn as <input type="date">."""
    found = []
    for info in pkgutil.iter_modules(goszakaz.web.__path__, "goszakaz.web."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if not (isinstance(cls, type) and issubclass(cls, forms.BaseForm)
                    and cls.__module__ == module.__name__):
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField):
                    found.append((f"{name}.{field_name}", field_name, field))
    return found


def test_the_web_forms_have_date_pickers() -> None:
    # covers: A7.1, A4 (the allocation date, the Перечень's dates)
    names = {label for label, _, _ in date_pickers()}
    assert {"AllocationForm.as_of", "ExcludeForm.on"} <= names, names


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_every_date_picker_holds_an_iso_value(lang) -> None:
    # covers: A7.1, A4
    for label, name, field in date_pickers():
        assert getattr(field.widget, "input_type", "") == "date", f"{label}: no date picker"
        with translation.override(lang):
            for value in SENT:
                html = field.widget.render(name, field.prepare_value(value))
                assert 'value="2026-12-01"' in html, (label, lang, value, html)


def test_the_allocation_form_keeps_its_date_when_it_comes_back_in_russian(edu_taraz) -> None:
    # covers: A7.1 (a volume refused: the form comes back with the date sent, still a date)
    client = Client()
    client.force_login(edu_taraz)
    for sent in ("01.12.2026", "2026-12-01"):
        html = client.post("/edu/allocation/new/", {"volume": "-1", "as_of": sent},
                           HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert 'type="date"' in html and 'value="2026-12-01"' in html, sent
        assert "01.12.2026" not in html.split('name="as_of"')[1].split(">")[0]
    fresh = client.get("/edu/allocation/new/").content.decode()
    field = fresh.split('name="as_of"')[1].split(">")[0]
    assert 'value="' in field and "." not in field.split('value="')[1][:10]
