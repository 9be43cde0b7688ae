"""Demo data for a fresh machine: users of each role and a Taraz queue of synthetic applications."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from goszakaz.domain.iin import make_iin
from goszakaz.queue.files import COLUMNS
from goszakaz.queue.models import Application
from goszakaz.queue.services import actualize_queue, import_applications
from goszakaz.queue.synthetic import synthetic_rows
from goszakaz.registry.models import City, Membership, Role

PASSWORD = "demo12345"
AS_OF = dt.date(2024, 8, 1)
PARENT_IIN = make_iin(dt.date(1990, 5, 17), 123, female=True)
LOGINS = [
    ("edu-taraz", Role.EDU, "taraz", ""),
    ("edu-shymkent", Role.EDU, "shymkent", ""),
    ("parent", Role.PAR, None, PARENT_IIN),
]


@transaction.atomic
def load(n_applications: int = 400) -> None:
    """Create the demo users and the Taraz queue; running it again changes nothing."""
    users = get_user_model()
    for username, role, city, iin in LOGINS:
        user, created = users.objects.get_or_create(username=username)
        if created:
            user.set_password(PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, defaults={"role": role, "iin": iin,
                                 "city": City.objects.get(code=city) if city else None})
    if not users.objects.filter(username="admin").exists():
        users.objects.create_superuser("admin", "", PASSWORD)
    taraz = City.objects.get(code="taraz")
    if Application.objects.filter(city=taraz).exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=[*COLUMNS, "parent_iin", "child_name"])
            w.writeheader()
            for i, row in enumerate(synthetic_rows(n_applications, seed=2024, as_of=AS_OF)):
                row["resides_in_city"] = "true" if i < 3 else row["resides_in_city"]
                row["parent_iin"] = PARENT_IIN if i < 3 else ""
                row["child_name"] = ["Айгерим", "Нурлан", "Дана"][i] if i < 3 else ""
                w.writerow(row)
        import_applications(city=taraz, path=path, skip_invalid=False, actor=None, role=Role.EDU)
    actualize_queue(city=taraz, on=AS_OF, actor=None, role=Role.EDU)


def print_logins() -> None:
    """The demo logins, for the README's first command."""
    print(f"Demo logins (password for all: {PASSWORD}):")
    for username, role, city, _ in LOGINS:
        print(f"  {username:14} {role:5} {city or ''}")
    print(f"  {'admin':14} admin (reference data only)")
    print("Open http://127.0.0.1:8000/")
