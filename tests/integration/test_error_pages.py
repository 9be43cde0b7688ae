"""The error pages (400, 403, 404, 500, the CSRF refusal) and the lockout: in the reader's language,
in the site's frame, with a way back (issue 11)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import translation

from goszakaz.registry.models import Role
from tests.factories import PARENT_IIN, make_user

HEADINGS = {
    400: {"ru": "Запрос не принят", "kk": "Сұраныс қабылданбады"},
    403: {"ru": "Нет доступа к этой странице", "kk": "Бұл бетке рұқсат жоқ"},
    404: {"ru": "Страница не найдена", "kk": "Бет табылмады"},
    500: {"ru": "Что-то пошло не так", "kk": "Бірдеңе дұрыс болмады"},
    "csrf": {"ru": "Форма устарела", "kk": "Форманың мерзімі өтті"},
}


def reader(language: str, **kwargs: object) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = language
    return client


def framed(html: str, language: str) -> None:
    """The page is the site's: its language, landmarks, skip link and a way back."""
    assert f'<html lang="{language}">' in html
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in html
    assert 'class="skip" href="#main"' in html
    assert 'href="/"' in html  # the way back: the start page sends each role to its cabinet


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_missing_page_says_so_in_the_readers_language(language: str) -> None:
    page = reader(language).get("/no-such-page/")
    assert page.status_code == 404
    html = page.content.decode()
    assert HEADINGS[404][language] in html
    framed(html, language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_page_of_another_role_is_refused_in_words_with_the_role_menu(language: str) -> None:
    # covers: A3
    client = reader(language)
    client.force_login(make_user("parent", Role.PAR, iin=PARENT_IIN))
    page = client.get("/bank/")
    assert page.status_code == 403
    html = page.content.decode()
    assert HEADINGS[403][language] in html
    framed(html, language)
    assert 'href="/parent/sheets/"' in html  # the parent's own menu


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("status", [400, 500])
def test_the_400_and_500_pages_render_from_djangos_own_handlers(status: int, language: str) -> None:
    handler = get_resolver().resolve_error_handler(status)
    request = RequestFactory().get("/somewhere/")
    with translation.override(language):
        page = handler(request) if status == 500 else handler(request, exception=ValueError())
    assert page.status_code == status
    html = page.content.decode()
    assert HEADINGS[status][language] in html
    framed(html, language)
    if status == 500:  # no request context: no language form (it would need a CSRF token)
        assert "set_language" not in html and "csrfmiddlewaretoken" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_server_error_reaches_the_reader_as_the_500_page(language: str, settings) -> None:
    settings.ROOT_URLCONF = "tests.integration.error_urls"
    page = reader(language, raise_request_exception=False).get("/boom/")
    assert page.status_code == 500
    html = page.content.decode()
    assert HEADINGS[500][language] in html
    framed(html, language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_an_expired_form_is_explained_not_refused_in_english(language: str) -> None:
    client = reader(language, enforce_csrf_checks=True)
    client.force_login(make_user("edu", Role.EDU))
    page = client.post("/edu/queue/actualize/", {})
    assert page.status_code == 403
    html = page.content.decode()
    assert HEADINGS["csrf"][language] in html
    assert "CSRF verification failed" not in html
    framed(html, language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_a_request_with_a_null_character_gets_the_400_page(language: str) -> None:
    page = reader(language).get("/accounts/login/?next=%00")
    assert page.status_code == 400
    html = page.content.decode()
    assert HEADINGS[400][language] in html
    framed(html, language)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "text"), [
    ("ru", "Слишком много неверных паролей"), ("kk", "қате құпиясөздер тым көп")])
def test_the_lockout_page_is_in_the_readers_language(language: str, text: str) -> None:
    # covers: A3
    make_user("parent", Role.PAR, iin=PARENT_IIN)
    client = reader(language)
    for i in range(5):
        page = client.post("/accounts/login/", {"username": "parent", "password": f"guess-{i}"})
    assert page.status_code == 429
    html = page.content.decode()
    assert text in html
    framed(html, language)
    assert 'href="/accounts/login/"' in html
