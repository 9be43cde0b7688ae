"""EDU keeps the Перечень: a design capacity changed with its history, never below the places
taken; a preschool excluded from a date behind a confirmation step, its pupils' parents told."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from goszakaz.enrollment.services import sign_contract
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Preschool
from tests.factories import EDU, NOW, make_preschool, make_voucher

D = dt.date


def test_capacity_changes_keep_their_history_and_never_go_below_the_places_taken(
        taraz, edu_taraz, clock_at) -> None:
    # covers: A4, A6
    clock_at(D(2024, 5, 3))
    school = make_preschool(taraz, 1, capacity=3)
    for i in (1, 4):
        sign_contract(voucher=make_voucher(taraz, i), preschool=school, on=D(2024, 4, 1),
                      actor=EDU, now=NOW)
    edu = Client()
    edu.force_login(edu_taraz)
    page = edu.get("/edu/perechen/").content.decode()
    assert f'href="/edu/perechen/{school.pk}/"' in page and "01.03.2024" in page
    refused = edu.post(f"/edu/perechen/{school.pk}/", {"design_capacity": "1", "note": "x"},
                       follow=True).content.decode()
    assert "2 from 03.05.2024" in refused or "2 с 03.05.2024" in refused, refused
    edu.post(f"/edu/perechen/{school.pk}/", {"design_capacity": "40", "note": "приказ №12"})
    assert Preschool.objects.get(pk=school.pk).design_capacity == 40
    detail = edu.get(f"/edu/perechen/{school.pk}/").content.decode()
    assert "3 → 40" in detail and "приказ №12" in detail


def test_an_exclusion_is_confirmed_first_and_tells_the_parents(taraz, edu_taraz,
                                                               edu_shymkent) -> None:
    # covers: A4, A6
    school = make_preschool(taraz, 1)
    pupil = make_voucher(taraz, 1)
    sign_contract(voucher=pupil, preschool=school, on=D(2024, 4, 1), actor=EDU, now=NOW)
    other = Client()
    other.force_login(edu_shymkent)
    assert other.get(f"/edu/perechen/{school.pk}/").status_code == 404  # another city's
    edu = Client()
    edu.force_login(edu_taraz)
    asked = edu.post(f"/edu/perechen/{school.pk}/exclude/",
                     {"on": "2024-06-01", "note": "приказ №3"}).content.decode()
    assert "01.06.2024" in asked and 'name="confirmed" value="1"' in asked
    assert Preschool.objects.get(pk=school.pk).excluded_on is None  # not yet
    edu.post(f"/edu/perechen/{school.pk}/exclude/",
             {"on": "2024-06-01", "note": "приказ №3", "confirmed": "1"})
    school.refresh_from_db()
    assert school.excluded_on == D(2024, 6, 1) and not school.in_perechen(D(2024, 6, 1))
    told = Notification.objects.filter(kind="perechen_excluded")
    assert [n.recipient_key for n in told] == [pupil.parent_iin]
    again = edu.post(f"/edu/perechen/{school.pk}/exclude/",
                     {"on": "2024-06-01", "note": "приказ №3", "confirmed": "1"})
    assert again.status_code == 302 and told.count() == 1  # a repeat changes nothing
