"""Nothing from another host (issue 11, DESIGN "The web"): no page of any role, nor the sign-in, the
error pages or the API's documentation, names a script, style, image or frame elsewhere."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from goszakaz.cli import sample
from tests.pages import PAGES, signed_in, urls_of

# the attributes that make a browser load something by itself
LOADS = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
         "video": "src", "embed": "src", "object": "data", "link": "href"}


class Loads(HTMLParser):
    """Every URL a page makes the browser load (scripts, styles, icons, images, frames)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in LOADS and named.get(LOADS[tag]):
            self.urls.append(str(named[LOADS[tag]]))
        if named.get("srcset"):
            self.urls += [part.split()[0] for part in str(named["srcset"]).split(",") if part]


def foreign(html: str) -> list[str]:
    """The URLs of a page that point to another host (anything absolute: the site names its own
    files by path)."""
    parser = Loads()
    parser.feed(html)
    return [u for u in parser.urls if urlsplit(u).netloc or urlsplit(u).scheme in ("http", "https")]


def test_the_check_sees_another_hosts_script() -> None:
    assert foreign('<script src="https://cdn.example.com/htmx.js"></script>'
                   '<link rel="stylesheet" href="//fonts.example.com/a.css">'
                   '<img src="/static/a.png"><a href="https://example.com/">a link</a>') == [
        "https://cdn.example.com/htmx.js", "//fonts.example.com/a.css"]


@pytest.mark.django_db
def test_no_page_loads_anything_from_another_host(taraz) -> None:
    # covers: A3
    sample.load(n_applications=50)
    found = []
    anonymous = Client()
    for url in ("/accounts/login/", "/no-such-page/", "/api/docs"):
        found += [(url, u) for u in foreign(anonymous.get(url).content.decode())]
    for login in PAGES:
        client = signed_in(login)
        for url in urls_of(login):
            page = client.get(url)
            assert page.status_code == 200, url
            found += [(url, u) for u in foreign(page.content.decode())]
    assert found == []


@pytest.mark.django_db
def test_the_api_docs_name_their_own_static_files() -> None:
    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui" in html.lower()
    assert foreign(html) == []
