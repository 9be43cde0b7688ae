"""In a real browser, under the content security policy: the pages and the API's documentation
work with nothing refused and nothing loaded from another host; a lockout reads as a page."""

from __future__ import annotations

from goszakaz.registry.models import Role
from tests.factories import make_user, pilot_city


def watch(page) -> tuple[list[str], list[str]]:
    """(console errors, requests to other hosts) of a page from now on. A missing resource is
    named by its URL (the browser's own /favicon.ico aside: the admin's pages name no icon)."""
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    return errors, foreign


def test_pages_and_api_docs_run_under_the_policy(page, live_server) -> None:
    # covers: A3, A7.13
    make_user("edu", Role.EDU, pilot_city("taraz"))
    errors, foreign = watch(page)
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith((live_server.url, "data:")) else None)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.eval_on_selector("header", "e => getComputedStyle(e).display") == "flex"  # site.css
    page.select_option("select[name=language]", "en")  # site.js sends the form
    page.wait_for_selector("h1:text('Sign in')")
    page.fill("input[name=username]", "edu")
    page.fill("input[name=password]", "pw")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/edu/queue/")
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector("#swagger-ui .opblock-summary-path[data-path='/api/bank/v1/account-requests']")
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == [] and foreign == []


def test_a_locked_out_login_sees_why_in_its_language(page, live_server) -> None:
    # covers: A3
    make_user("parent", Role.PAR)
    errors, _ = watch(page)
    for i in range(5):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "parent")
        page.fill("input[name=password]", f"guess-{i}")
        page.click("form.card button[type=submit]")
    assert "Слишком много неверных паролей" in page.inner_text("main")
    assert [e for e in errors if "Content Security Policy" in e] == []


def test_the_admin_runs_under_the_policy(page, live_server) -> None:
    # covers: A3
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "", "Жайлау-кеші-2024")
    errors, _ = watch(page)
    page.goto(f"{live_server.url}/admin/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "Жайлау-кеші-2024")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}/admin/registry/city/")
    page.wait_for_selector("#changelist")
    page.goto(f"{live_server.url}/admin/registry/city/add/")
    page.wait_for_selector("#city_form")
    assert errors == [], errors
