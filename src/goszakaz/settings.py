"""Django settings, all from the environment: DATABASE_URL, SECRET_KEY, DEBUG, LOG_LEVEL,
ALLOWED_HOSTS and the GOSZAKAZ_* settings of a deployment (README, Settings; docs/security.md)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from goszakaz.clock import check_time_zone

check_time_zone()  # Kazakhstan is UTC+5 since 1 March 2024: an older zone database is refused

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GOSZAKAZ_DATA_DIR", Path.cwd() / "var"))

DEBUG = os.environ.get("DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number >= 0, not {value!r}")
    return int(value)


def _path(name: str, default: str) -> str:
    """A URL path prefix such as `staff-7f3a/` (no leading slash, one trailing slash)."""
    value = os.environ.get(name, default).strip("/")
    return f"{value}/" if value else ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",  # request.htmx and its vendored htmx.min.js (no CDN)
    "ninja",  # its Swagger UI from its own static files (no CDN): /api/docs works offline
    "goszakaz.audit",
    "goszakaz.registry",
    "goszakaz.notifications",
    "goszakaz.queue",
    "goszakaz.enrollment",
    "goszakaz.deadlines",
    "goszakaz.jobs",
    "goszakaz.verification",
    "goszakaz.banking",
    "goszakaz.finance",
    "goszakaz.attendance",
    "goszakaz.reports",
    "goszakaz.api",
    "goszakaz.web",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "goszakaz.web.middleware.RefuseNullCharacters",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page (429)
]
ROOT_URLCONF = "goszakaz.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "goszakaz.web.context.navigation",  # the role's menu in base.html
            ]
        },
    }
]
WSGI_APPLICATION = "goszakaz.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'goszakaz.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # a transaction takes the write lock when it begins: two saves at once (two rows of the day
    # page) wait for each other instead of one failing at once with "database is locked" (a
    # read transaction cannot be upgraded while another writes)
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # PostgreSQL's JIT compiles the month's big set-based queries for a third of a second each
    # and saves nothing on them (a settlement chunk's query: 0.6 s with it, 0.3 s without)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# One cache for every process of a deployment, in the database (no Redis to run): the API's
# count of wrong tokens per address lives here. Its table is made by `migrate` (api's 0002).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "goszakaz_cache",
    }
}

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True
# Dates read dd.mm.yyyy and numbers 60 000,00 in every language (docs/readings.md, "Formats"):
# the project's own format modules, and the same as the fallback; forms accept dd.mm.yyyy and ISO
FORMAT_MODULE_PATH = "goszakaz.web.formats"
DATE_FORMAT = SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "d.m.Y H:i"
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the pages' style sheet and script
STATIC_ROOT = DATA_DIR / "static"  # `goszakaz serve` collects here; whitenoise serves it
WHITENOISE_USE_FINDERS = DEBUG  # the development server and the tests read the apps' own files
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collected only by `serve`; whitenoise wants it
MEDIA_ROOT = DATA_DIR / "media"  # dispute documents: stored, never served publicly
NOBD_EXPORT_DIR = Path(os.environ.get("GOSZAKAZ_NOBD_EXPORT_DIR", DATA_DIR / "nobd"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE = not DEBUG

# The admin (reference data only) at a path of the deployment's choosing: GOSZAKAZ_ADMIN_PATH
# (e.g. `staff-7f3a`); `admin/` under DEBUG; without DEBUG and unset, there is no admin at all.
ADMIN_PATH = _path("GOSZAKAZ_ADMIN_PATH", "admin" if DEBUG else "")

# Sign-in (docs/security.md, Sign-in). Lockout by the pair (login, address): 5 failures lock that
# login from that address for 15 minutes, while the same person signs in from any other address
# (nobody can lock a parent out of a one-day confirmation window from elsewhere). A success
# resets the count; attempts during the lockout do not prolong it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _int("GOSZAKAZ_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=_int("GOSZAKAZ_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "goszakaz.access.client.address"
AXES_LOCKOUT_CALLABLE = "goszakaz.web.signin_views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # successes are in the audit trail (login.succeeded)
AXES_VERBOSE = False
# The API: wrong bearer tokens from one address, counted in the cache; past the limit the address
# gets 429 until the window has passed since its last counted failure.
API_TOKEN_FAILURES = _int("GOSZAKAZ_API_TOKEN_FAILURES", 10)
API_TOKEN_WINDOW_SECONDS = _int("GOSZAKAZ_API_TOKEN_WINDOW_SECONDS", 900)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Behind a TLS-terminating proxy (docs/security.md, Deployment). GOSZAKAZ_PROXIES: how many
# proxies stand in front and set X-Forwarded-Proto and X-Forwarded-For (0: none, the client
# talks to gunicorn directly). With a proxy, its X-Forwarded-Proto says the request came over
# TLS, and the client's address is the one the outermost proxy saw.
PROXIES = _int("GOSZAKAZ_PROXIES", 0)
if PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_SSL_REDIRECT = os.environ.get("GOSZAKAZ_SSL_REDIRECT", "0" if DEBUG else "1") == "1"
SECURE_HSTS_SECONDS = _int("GOSZAKAZ_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("GOSZAKAZ_HSTS_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("GOSZAKAZ_HSTS_PRELOAD", "0") == "1"
# Preloading commits the whole registered domain (and its subdomains) to HTTPS in browsers' own
# lists: the domain owner's decision, not the application's; `check --deploy` need not ask it.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing is loaded from another host, and no inline script or style runs: the pages' CSS and
# script are static files, the API's Swagger UI is ninja's own copy.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One JSON object a line on stderr (python-json-logger): the message, and the `extra={...}` fields
# of the call (counts, ids of rows, a city code, a month, seconds); never personal data (rule 11).
# LOG_LEVEL (default INFO) is the root's; the SQL logger stays at WARNING whatever it is, since
# its queries carry their parameters (IINs, names).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    # axes logs the login tried (an IIN, for some) and the address at WARNING: kept out (rule 11);
    # the audit trail has every failure and lockout
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "ERROR"}},
}
