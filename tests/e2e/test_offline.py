"""With every request to another host refused by the browser, the API's documentation still shows
its operations and the pages their style and script: nothing is fetched from elsewhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from goszakaz.cli import sample
from tests.e2e.test_accessibility import sign_in
from tests.factories import pilot_city

LOCAL = {"127.0.0.1", "localhost", "[::1]"}


def offline(page) -> list[str]:
    """Refuse every request that leaves this machine; the refused URLs, as they come."""
    refused: list[str] = []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in LOCAL:
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    page.route("**/*", route)
    return refused


def test_the_api_docs_work_with_no_network(page, live_server) -> None:
    # covers: A3
    refused = offline(page)
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector("#swagger-ui .opblock-summary-path", state="visible")
    assert page.locator("#swagger-ui .opblock").count() > 5  # the operations list is drawn
    assert refused == []


def test_the_pages_are_styled_and_scripted_with_no_network(page, live_server) -> None:
    pilot_city("taraz")
    sample.load(n_applications=50)
    refused = offline(page)
    sign_in(page, live_server.url, "parent")
    page.goto(f"{live_server.url}/parent/sheets/")
    assert page.eval_on_selector("header", "e => getComputedStyle(e).display") == "flex"
    page.select_option("select[name=language]", "kk")  # site.js sends the form
    page.wait_for_selector("html[lang=kk]")
    assert refused == []
