"""Settings for bench/hordak_compare.py only: goszakaz's settings plus django-hordak (never deployed).

Hordak's installation docs ask for `mptt` and `hordak` in INSTALLED_APPS and for the currency,
decimal places and digit count to be fixed before the first migrate. Money here is tenge with
two decimal places (tiyn); 20 digits is the width hordak's own migration gives the leg
debit/credit columns, so the model agrees with the table.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")  # goszakaz.settings wants a SECRET_KEY unless DEBUG

from goszakaz.settings import *  # noqa: E402,F403
from goszakaz.settings import INSTALLED_APPS as _GOSZAKAZ_APPS  # noqa: E402

INSTALLED_APPS = [*_GOSZAKAZ_APPS, "mptt", "hordak"]

DEBUG = False  # no per-query logging in connection.queries while timing ~10^5-10^6 statements

DEFAULT_CURRENCY = "KZT"  # hordak: currency of new accounts
HORDAK_CURRENCIES = ["KZT"]  # hordak: currencies accounts may hold (HORDAK_ wins over CURRENCIES)
# HORDAK_INTERNAL_CURRENCY (the base of hordak's currency conversion, and the default currency
# of a leg) stays at its default, EUR: hordak refuses to import with KZT there, as its built-in
# exchange-rate backend (Fixer) does not list KZT. The bench passes KZT on every leg's Money.
HORDAK_DECIMAL_PLACES = 2
HORDAK_MAX_DIGITS = 20
