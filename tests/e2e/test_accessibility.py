"""Every page of every role on the demo data in a real browser at 1366 and 390 px (issue 11): no
serious or critical finding of the axe-core scan, and no horizontal scroll on a phone."""

from __future__ import annotations

import pytest

from goszakaz.cli import sample
from tests.e2e.axe import describe, scan
from tests.factories import pilot_city
from tests.pages import PAGES, urls_of

WIDTHS = (1366, 390)


def sign_in(page, base: str, login: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", sample.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def wider_than_the_screen(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scroll)."""
    return int(page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def read_every_page(browser, base: str, login: str | None, urls: list[str]) -> list[str]:
    """Scan each page at each width; what fails, one line each."""
    found: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        if login:
            sign_in(page, base, login)
        for url in urls:
            page.goto(f"{base}{url}")
            found += describe(url, width, scan(page))
            if width < 800 and (over := wider_than_the_screen(page)):
                found.append(f"{url} @{width}px: scrolls sideways by {over}px")
        context.close()
    return found


@pytest.mark.parametrize("login", list(PAGES))
def test_every_page_of_a_role_passes_the_scan_at_both_widths(browser, live_server, login) -> None:
    pilot_city("taraz")
    sample.load(n_applications=50)
    found = read_every_page(browser, live_server.url, login, urls_of(login))
    assert found == [], "\n".join(found)


def test_the_sign_in_and_error_pages_pass_the_scan(browser, live_server) -> None:
    pilot_city("taraz")
    sample.load(n_applications=50)
    found = read_every_page(browser, live_server.url, None,
                            ["/accounts/login/", "/no-such-page/"])
    found += read_every_page(browser, live_server.url, "parent", ["/bank/", "/no-such-page/"])
    assert found == [], "\n".join(found)


def test_the_keyboard_starts_at_the_skip_link_and_sees_its_focus(browser, live_server) -> None:
    pilot_city("taraz")
    sample.load(n_applications=50)
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, live_server.url, "parent")
    page.goto(f"{live_server.url}/parent/sheets/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
        return {cls: e.className, top: r.top, outline: getComputedStyle(e).outlineStyle}; }""")
    assert focused["cls"] == "skip" and focused["top"] >= 0 and focused["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # on from the content, not back to the header
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    context.close()
