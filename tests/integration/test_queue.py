"""Queue in the database: actualization (T3) with history, queue-number messages (T1.3), cities (O1)."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.access.actor import Actor
from goszakaz.notifications.models import Notification
from goszakaz.queue.models import Application, CategoryChange
from goszakaz.queue.services import LOCAL, actualize_queue, import_applications
from goszakaz.registry.models import City, Role
from tests.factories import NOW, PARENT_IIN, app_row


def load(taraz, write_csv, rows) -> None:
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)


def test_actualization_moves_category_and_keeps_original_date(taraz, write_csv) -> None:
    # covers: T3, T4, T1.2
    # Born 2021-09-10: queue age 0 on 1 July 2022 (category 16), 2 on 1 July 2024 (category 14).
    rows = [
        app_row("10", dt.date(2021, 9, 10), "2021-10-01T09:00:00", 1, parent_iin=PARENT_IIN),
        app_row("11", dt.date(2021, 8, 1), "2021-12-01T09:00:00", 2),
        app_row("12", dt.date(2020, 6, 1), "2022-01-01T09:00:00", 3),
    ]
    load(taraz, write_csv, rows)
    assert actualize_queue(city=taraz, on=dt.date(2022, 9, 1), actor=Actor.system(Role.EDU), now=NOW) == 3
    a = Application.objects.get(application_id="10")
    assert (a.category, a.queue_number) == (16, 1)
    assert Application.objects.get(application_id="12").category == 14
    assert actualize_queue(city=taraz, on=dt.date(2022, 9, 2), actor=Actor.system(Role.EDU), now=NOW) == 0
    actualize_queue(city=taraz, on=dt.date(2024, 9, 1), actor=Actor.system(Role.EDU), now=NOW)
    a.refresh_from_db()
    assert a.category == 14  # 12 is 4 now (category 8); 10 and 11 keep their date order
    assert Application.objects.get(application_id="12").category == 8
    assert [x.application_id for x in Application.objects.filter(category=14)
            .order_by("queue_number")] == ["10", "11"]
    change = CategoryChange.objects.get(application=a)
    assert (change.from_category, change.to_category) == (16, 14)
    assert (change.from_queue_number, change.to_queue_number) == (1, 1)
    assert a.submitted_at.astimezone(LOCAL).isoformat() == "2021-10-01T09:00:00+06:00"


def test_status_change_moves_application_ahead_by_its_original_date(taraz, write_csv) -> None:
    # covers: T3, T1.2
    rows = [app_row(str(i), dt.date(2019, 5, 5), f"2022-0{i}-01T09:00:00", i) for i in (1, 2, 3)]
    rows[2]["large_family"] = "true"
    load(taraz, write_csv, rows)
    actualize_queue(city=taraz, on=dt.date(2023, 8, 1), actor=Actor.system(Role.EDU), now=NOW)
    assert Application.objects.get(application_id="3").category == 1
    rows[0]["large_family"] = "true"  # the earliest application gets the status later
    load(taraz, write_csv, rows)
    actualize_queue(city=taraz, on=dt.date(2023, 9, 1), actor=Actor.system(Role.EDU), now=NOW)
    cat1 = Application.objects.filter(category=1).order_by("queue_number")
    assert [(a.application_id, a.queue_number) for a in cat1] == [("1", 1), ("3", 2)]


def test_queue_number_goes_to_the_parents_cabinet(taraz, write_csv) -> None:
    # covers: T1.3
    load(taraz, write_csv, [app_row("7", dt.date(2021, 1, 1), "2021-06-01T10:00:00", 1,
                                    parent_iin=PARENT_IIN)])
    actualize_queue(city=taraz, on=dt.date(2023, 8, 1), actor=Actor.system(Role.EDU), now=NOW)
    actualize_queue(city=taraz, on=dt.date(2023, 8, 2), actor=Actor.system(Role.EDU), now=NOW)
    notes = Notification.objects.filter(recipient_key=PARENT_IIN, kind="queue_number")
    assert notes.count() == 1  # unchanged number: no second message
    note = notes.get()
    assert note.payload["queue_number"] == 1 and note.payload["category"] == 14
    assert note.delivered_at is not None


def test_non_resident_and_no_category_are_reported_not_dropped(taraz, write_csv) -> None:
    # covers: T1.1, I12
    rows = [app_row("1", dt.date(2020, 3, 3), "2021-01-01T10:00:00", 1, resides_in_city="no"),
            app_row("2", dt.date(2020, 3, 3), "2021-01-01T10:00:00", 2)]
    load(taraz, write_csv, rows)
    actualize_queue(city=taraz, on=dt.date(2023, 8, 1), actor=Actor.system(Role.EDU), now=NOW)
    reasons = dict(Application.objects.values_list("application_id", "reason"))
    assert reasons == {"1": "not resident", "2": "no matching category"}


@pytest.mark.django_db
def test_pilot_cities_and_periods_are_data() -> None:
    # covers: O1, I16
    periods = {c.code: (c.pilot_start, c.pilot_end) for c in City.objects.all()}
    assert periods["shymkent"] == periods["taraz"] == periods["turkestan"] == (
        dt.date(2024, 3, 1), dt.date(2024, 12, 25))
    assert periods["uralsk"] == (dt.date(2024, 11, 1), None)
    uralsk = City.objects.get(code="uralsk")
    assert uralsk.in_pilot(dt.date(2030, 1, 1)) and not uralsk.in_pilot(dt.date(2024, 10, 31))
    assert not City.objects.get(code="taraz").in_pilot(dt.date(2024, 12, 26))
    City.objects.create(code="almaty", name_ru="Алматы", name_kk="Алматы", name_en="Almaty",
                        pilot_start=dt.date(2026, 1, 1))
    assert City.objects.count() == 5


def test_messages_go_through_their_channel(taraz) -> None:
    # covers: T1.3
    from goszakaz.notifications import channels
    from goszakaz.notifications.services import notify

    sent: list[str] = []

    class Sms:
        def deliver(self, notification) -> bool:
            sent.append(notification.kind)
            return notification.kind != "fails"

    channels.CHANNELS["sms"] = Sms()
    try:
        for kind in ("hello", "fails"):
            n = Notification.objects.create(city="taraz", kind=kind, recipient_key=PARENT_IIN,
                                            payload={}, channel="sms",
                                            created_at=dt.datetime(2024, 1, 1, tzinfo=LOCAL),
                                            dedup_key=f"sms/{kind}")
            assert n.delivered_at is None
        assert channels.deliver_pending(at=NOW) == 1 and sent == ["hello", "fails"]
        cabinet = notify(city="taraz", kind="x", recipient_key=PARENT_IIN, payload={},
                         dedup_key="cab/1", at=NOW)
        assert cabinet.delivered_at is not None and cabinet.recipient_role == "PAR"
    finally:
        del channels.CHANNELS["sms"]
