"""`make screenshots`: the demo on a free port, each role signed in, and a PNG of each page below
at 390 px and 1366 px wide, in Russian, into docs/screenshots/ (NAME-WIDTH.png).

Needs DEBUG=1 (the demo's published password), Chromium (`make browser`) and Playwright. The
demo runs from a fresh SQLite database in a temporary directory; nothing of yours is touched.
A new page is one more row of PAGES.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = (390, 1366)
MAX_HEIGHT = 2400  # a longer page is cut there: the screenshot shows its top
PASSWORD = "demo12345"  # goszakaz.cli.demo.PASSWORD

# name (the file's), login of the demo (None: signed out), path ("LIST >> SELECTOR": the page
# the first link SELECTOR matches on LIST leads to)
PAGES: list[tuple[str, str | None, str]] = [
    ("login", None, "/accounts/login/"),
    ("parent-cabinet", "parent", "/parent/"),
    ("parent-sheets", "parent", "/parent/sheets/"),
    ("parent-vouchers", "parent", "/parent/vouchers/"),
    ("parent-month", "parent", "/parent/sheets/{sheet}/"),
    ("parent-statement", "parent", "/parent/children/{voucher}/statement/"),
    ("preschool-pupils", "preschool", "/preschool/"),
    ("preschool-day", "preschool", "/preschool/day/"),
    ("preschool-month", "preschool", "/preschool/month/"),
    ("preschool-disputes", "preschool", "/preschool/disputes/"),
    ("preschool-payments", "preschool", "/preschool/payments/"),
    ("preschool-groups", "preschool", "/preschool/groups/"),
    ("preschool-staff", "preschool", "/preschool/staff/"),
    ("teacher-day", "teacher", "/preschool/day/"),
    ("edu-queue", "edu-taraz", "/edu/queue/"),
    ("edu-allocations", "edu-taraz", "/edu/allocation/"),
    ("edu-allocation", "edu-taraz", "/edu/allocation/ >> #runs td a"),
    ("edu-vouchers", "edu-uralsk", "/edu/vouchers/"),
    ("edu-voucher", "edu-uralsk", "/edu/vouchers/ >> #vouchers td a"),
    ("edu-application", "edu-taraz", "/edu/queue/ >> table.staff-list td a"),
    ("edu-perechen", "edu-uralsk", "/edu/perechen/"),
    ("funding-request", "edu-uralsk", "/edu/funding/ >> a[href^='/funding/']"),
    ("bank-payments", "bank", "/bank/payments/"),
    ("bank-transfer", "bank", "/bank/payments/ >> table.staff-list td a"),
    ("edu-preschool", "edu-uralsk", "/edu/perechen/ >> #perechen td a"),
    ("edu-allocation-new", "edu-taraz", "/edu/allocation/new/"),
    ("edu-exclusions", "edu-taraz", "/edu/exclusions/"),
    ("edu-funding", "edu-uralsk", "/edu/funding/"),
    ("edu-tariffs", "edu-uralsk", "/tariffs/"),
    ("operator-funding", "operator", "/operator/funding/"),
    ("operator-unconfirmed", "operator", "/operator/unconfirmed/"),
    ("operator-banks", "operator", "/operator/banks/"),
    ("operator-cases", "operator", "/operator/cases/"),
    ("operator-case", "operator", "/operator/cases/1/"),
    ("operator-children", "operator", "/operator/children/"),
    ("operator-child", "operator", "/operator/children/1/"),
    ("operator-cycle", "operator", "/operator/cycle/"),
    ("bank-cabinet", "bank", "/bank/"),
    ("oversight-deadlines", "operator", "/oversight/deadlines/"),
    ("oversight-money", "operator", "/oversight/money/"),
    ("oversight-attendance", "operator", "/oversight/attendance/"),
    ("oversight-queue", "operator", "/oversight/queue/"),
    ("edu-oversight-deadlines", "edu-taraz", "/oversight/deadlines/"),
    ("edu-oversight-queue", "edu-taraz", "/oversight/queue/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def goszakaz(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "goszakaz.cli", *args], cwd=ROOT, env=env,
                            **kwargs)  # type: ignore[call-overload]


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the demo server stopped (exit code {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the demo server did not answer at {url} in {seconds:.0f} s")


def shoot(base: str, names: set[str] | None, language: str = "ru", out: Path = OUT) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("GOSZAKAZ_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    out.mkdir(parents=True, exist_ok=True)
    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--lang=ru-RU"])
        for width in WIDTHS:
            contexts: dict[str | None, object] = {}
            for name, login, path in PAGES:
                if names and name not in names:
                    continue
                if login not in contexts:
                    context = browser.new_context(locale="ru-RU",
                                                  viewport={"width": width, "height": 800})
                    context.add_cookies([{"name": "django_language", "value": language,
                                          "url": base}])
                    if login:
                        page = context.new_page()
                        page.goto(f"{base}/accounts/login/")
                        page.fill("input[name=username]", login)
                        page.fill("input[name=password]", PASSWORD)
                        page.click("main form button[type=submit]")
                        page.wait_for_url(lambda url: "/accounts/login/" not in url)
                        page.close()
                    contexts[login] = context
                page = contexts[login].new_page()  # type: ignore[attr-defined]
                if " >> " in path:  # a record's own page: the first link on its list
                    start, selector = path.split(" >> ", 1)
                    page.goto(f"{base}{start}")
                    path = str(page.locator(selector).first.get_attribute("href"))
                elif "{" in path:  # a child's own page: its link on the parent's sheets page
                    page.goto(f"{base}/parent/sheets/")
                    link = {"{sheet}": "a[href*='/parent/sheets/'][href$='/']:not([href$='/sheets/'])",
                            "{voucher}": "a[href*='/statement/']"}
                    key = "{sheet}" if "{sheet}" in path else "{voucher}"
                    path = str(page.locator(link[key]).first.get_attribute("href"))
                page.goto(f"{base}{path}")
                height = min(MAX_HEIGHT, int(page.evaluate(
                    "() => document.documentElement.scrollHeight")))
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": height})
                page.close()
                made.append(target)
                print(f"  {target}", flush=True)
            for context in contexts.values():
                context.close()  # type: ignore[attr-defined]
        browser.close()
    return made


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--port", type=int, default=0, help="the demo's port (default: a free one)")
    args.add_argument("--language", default="ru", choices=("ru", "kk", "en"),
                      help="the pages' language (the committed screenshots are ru)")
    args.add_argument("--out", type=Path, default=OUT, help=f"where to save (default {OUT})")
    args.add_argument("names", nargs="*", help="only these pages (names of PAGES)")
    opts = args.parse_args()
    port = opts.port or free_port()
    with tempfile.TemporaryDirectory(prefix="goszakaz-screenshots-") as data:
        env = {**os.environ, "DEBUG": "1", "GOSZAKAZ_DATA_DIR": data, "DATABASE_URL": "",
               "LOG_LEVEL": "WARNING",
               "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
        print("loading the demo data...", flush=True)
        if goszakaz("demo", env=env, stdout=subprocess.DEVNULL).wait() != 0:
            return 1
        # today: the simulated history behind it, Uralsk's month open
        server = goszakaz("run", "--port", str(port), env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/accounts/login/", server)
            print(f"screenshots of {base} into {opts.out}/:", flush=True)
            shoot(base, set(opts.names) or None, opts.language, opts.out)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
