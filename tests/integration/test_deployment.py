"""A deployment behind a TLS-terminating proxy (issue 10): `goszakaz serve` (gunicorn, whitenoise)
answers with HSTS and a content security policy, serves the static files without DEBUG, and
signs a person in from the proxy's headers; `goszakaz check --deploy` is clean with production
settings and fails on the development defaults."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.test import Client, override_settings

import goszakaz
from tests.factories import make_user

SRC = Path(goszakaz.__file__).resolve().parents[1]
TEMPLATES = SRC / "goszakaz"
HOST = "goszakaz.example.kz"
PASSWORD = "Жайлау-кеші-2024"
# what a TLS-terminating proxy passes on: the public Host, the scheme, the client's address
PROXY = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https",
         "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


def production_env(data: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: no DEBUG, a secret key, the site's host behind
    one proxy, the admin at a path of its own; SQLite in `data`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "GOSZAKAZ_", "DATABASE_URL", "PYTEST"))}
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": HOST, "GOSZAKAZ_PROXIES": "1",
                "CSRF_TRUSTED_ORIGINS": f"https://{HOST}", "GOSZAKAZ_ADMIN_PATH": "staff-7f3a",
                "GOSZAKAZ_DATA_DIR": str(data), "LOG_LEVEL": "WARNING",
                "PYTHONPATH": os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])})
    env.update(extra)
    return env


def goszakaz_cmd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "goszakaz.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=[HOST])
def test_behind_tls_a_login_post_through_the_proxy_signs_in(caplog) -> None:
    # covers: A3 (the probe: 403 "Origin checking failed" without the proxy's header trusted)
    make_user("edu", "EDU")

    def post_login(client: Client) -> tuple[int, str]:
        page = client.get("/accounts/login/", **PROXY)
        token = page.cookies["csrftoken"].value
        answer = client.post("/accounts/login/", {"username": "edu", "password": "pw",
                                                  "csrfmiddlewaretoken": token},
                             HTTP_ORIGIN=f"https://{HOST}", **PROXY)
        return answer.status_code, answer.content.decode()

    with override_settings(SECURE_PROXY_SSL_HEADER=None):  # what the probe met
        status, _ = post_login(Client(enforce_csrf_checks=True))
        assert status == 403 and "Origin checking failed" in caplog.text
    with override_settings(PROXIES=1, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
                           SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31_536_000):
        client = Client(enforce_csrf_checks=True)
        status, _ = post_login(client)
        assert status == 302 and "_auth_user_id" in client.session
        page = client.get("/accounts/login/", **PROXY)
        assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        # plain HTTP past the proxy is sent to https, never served
        assert Client().get("/accounts/login/", HTTP_HOST=HOST).status_code == 301


def test_the_settings_of_production_are_safe_by_default(tmp_path) -> None:
    # covers: A3
    show = ("import django, json; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.ADMIN_PATH, s.SECURE_PROXY_SSL_HEADER, "
            "len(s.AUTH_PASSWORD_VALIDATORS), s.AXES_FAILURE_LIMIT]))")
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="goszakaz.settings",
                         GOSZAKAZ_ADMIN_PATH="")
    result = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                            text=True, timeout=60)
    assert json.loads(result.stdout) == [True, 31_536_000, True, True, "",
                                         ["HTTP_X_FORWARDED_PROTO", "https"], 4, 5], result.stderr


def test_pages_carry_a_content_security_policy_and_no_inline_code() -> None:
    # covers: A3
    page = Client().get("/accounts/login/")
    policy = dict(d.strip().split(" ", 1) for d in page["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    # what the policy would block: inline scripts, handlers and styles in any template
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.I)
    found = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
             if inline.search(p.read_text(encoding="utf-8"))]
    assert found == []
    assert 'src="/static/goszakaz/site.js"' in page.content.decode()


@pytest.mark.django_db
def test_the_api_docs_use_ninjas_own_files_not_a_cdn() -> None:
    # covers: A7.13 (the API's documentation opens offline, under the policy)
    page = Client().get("/api/docs").content.decode()
    scripts = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in scripts
    assert all(s.startswith("/static/") for s in scripts), scripts
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_check_deploy_is_clean_with_production_settings_and_catches_the_defaults(tmp_path) -> None:
    # covers: A3
    env = production_env(tmp_path)
    clean = goszakaz_cmd("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    dirty = goszakaz_cmd("check", "--deploy", "--fail-level", "WARNING",
                         env={**env, "GOSZAKAZ_ADMIN_PATH": "admin",
                              "CSRF_TRUSTED_ORIGINS": f"http://{HOST}"})
    assert dirty.returncode != 0
    assert "goszakaz.W001" in dirty.stderr and "goszakaz.W002" in dirty.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Proxy:
    """What a TLS-terminating proxy sends to gunicorn: the public Host, X-Forwarded-Proto https,
    X-Forwarded-For with the client's address; the browser's cookies kept between requests."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, SimpleCookie()

    def request(self, method: str, path: str, body: str = "",
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        sent = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7",
                **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        conn.request(method, path, body=body.encode(), headers=sent)
        response = conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            assert "Secure" in value, value  # cookies only ever over TLS
            self.cookies.load(value)
        conn.close()
        return response.status, dict(response.headers), data


def wait_for(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1][-2000:]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("goszakaz serve did not listen within 60 s")


def test_goszakaz_serve_behind_a_tls_proxy(tmp_path) -> None:
    # covers: A3 (the probes: 403 behind TLS, no HSTS, no CSP, static files 404 without DEBUG)
    env = production_env(tmp_path)
    for step in (("migrate", "-v0"), ("createsuperuser", "--noinput", "--username", "root",
                                      "--email", "root@example.kz")):
        done = goszakaz_cmd(*step, env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD})
        assert done.returncode == 0, done.stderr
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "goszakaz.cli", "serve", "--bind",
                                f"127.0.0.1:{port}", "--workers", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port, process)
        proxy = Proxy(port)
        status, headers, body = proxy.request("GET", "/accounts/login/")
        assert status == 200 and headers["Server"].startswith("gunicorn")
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        for static in ("/static/admin/css/base.css", "/static/goszakaz/site.css",
                       "/static/ninja/swagger-ui-bundle.js"):
            assert proxy.request("GET", static)[0] == 200, static
        # the API's throttle counts in the database cache, shared by the workers
        status, _, answer = proxy.request("GET", "/api/bank/v1/account-requests",
                                          headers={"Authorization": "Bearer guess"})
        assert status == 401 and set(json.loads(answer)) == {"detail"}  # api.auth.Refusal
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token is not None
        form = (f"csrfmiddlewaretoken={token.group(1).decode()}&username=root&"
                f"password={PASSWORD}&next=/staff-7f3a/")
        status, headers, _ = proxy.request(
            "POST", "/accounts/login/", form,
            {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/accounts/login/",
             "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302 and headers["Location"] == "/staff-7f3a/", status
        assert "sessionid" in proxy.cookies
        status, _, body = proxy.request("GET", "/staff-7f3a/")
        assert status == 200 and b"/static/admin/css/base.css" in body  # the admin, signed in
        # the sign-in is in the audit trail with the address the proxy saw
        with sqlite3.connect(tmp_path / "goszakaz.sqlite3") as db:
            rows = db.execute("SELECT object_id, after FROM audit_auditentry "
                              "WHERE action = 'login.succeeded'").fetchall()
            counted = db.execute("SELECT count(*) FROM goszakaz_cache").fetchone()[0]
        assert counted == 1  # 203.0.113.7's one wrong token
        assert [(login, json.loads(after)) for login, after in rows] == [
            ("root", {"address": "203.0.113.7"})]
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0
