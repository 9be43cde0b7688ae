"""The parent's month (issue 11): the calendar with its legend in words, confirm and dispute only
in the window (I17, I7), the early-confirmation bug, money in messages, reminders from tick,
the statement from the ledger, and a parent kept to their own children."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from goszakaz.attendance import services
from goszakaz.attendance.models import Sheet, SheetState
from goszakaz.attendance.reminders import remind_parents
from goszakaz.attendance.services import (
    SheetError,
    auto_confirm,
    confirm,
    dispute,
    mark,
    mark_many,
    window_opens,
)
from goszakaz.banking.models import ChildAccount
from goszakaz.clock import moment_of
from goszakaz.finance.funding import build_request, distribute, transfer_to_operator
from goszakaz.notifications.models import Notification
from goszakaz.notifications.texts import text_of
from goszakaz.registry.models import City
from goszakaz.workflows.bank_accounts import account_closed
from goszakaz.workflows.dispute import answer_dispute
from goszakaz.workflows.monthly_cycle import settle, tick
from tests.factories import BANK, EDU, NOW, OPR, PAR, PRE, WORKING, fund

D = dt.date
JUNE_L = D(2024, 6, 28)  # June 2024's last working day (a Friday); the month ends on Sunday


def put(voucher, school, day: dt.date, code: str = "P") -> Sheet:
    return mark(voucher=voucher, day=day, code=code, preschool_id=school.pk,
                is_working_day=WORKING, actor=PRE, now=NOW)


def client_of(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="ru")
    c.force_login(user)
    return c


def test_the_month_as_a_calendar_offers_an_answer_only_in_its_window(money_city, parent,
                                                                      clock_at) -> None:
    # covers: I17, A7.14, A7.13
    _taraz, school, child, _direct = money_city
    put(child, school, D(2024, 6, 3), "S")
    sheet = put(child, school, D(2024, 6, 4), "A")
    page = client_of(parent)
    clock_at(D(2024, 6, 20))  # before the window: the marks as they are made, no button
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert 'class="k-sick"' in html and 'class="k-absent"' in html
    for words in ("болезнь (справка)", "без уважительной причины", "не отмечен",
                  "выходной"):
        assert words in html  # the legend in words: colour is never the only signal
    assert "с 29.06.2024" in html  # L (28 June) not marked yet: the end of that day
    assert 'value="confirm"' not in html and 'name="reason"' not in html
    put(child, school, JUNE_L)
    clock_at(JUNE_L)  # L marked: the window is open, the deadline shown as a date
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert 'value="confirm"' in html and 'name="reason"' in html
    assert 'accept="image/*,application/pdf" capture' in html
    assert "30.06.2024" in html
    clock_at(D(2024, 7, 1))  # the month is over: confirmed automatically, no button pretends
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert 'value="confirm"' not in html and "подтверждён автоматически" in html
    done = page.post(f"/parent/sheets/{sheet.pk}/answer/", {"answer": "confirm"}, follow=True)
    text = done.content.decode()
    assert 'class="msg error"' in text and 'class="msg success"' not in text
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.OPEN  # tick confirms it


def test_the_parent_confirms_in_the_window_and_sees_it(money_city, parent, clock_at) -> None:
    # covers: A7.14, I17
    _taraz, school, child, _direct = money_city
    sheet = put(child, school, JUNE_L)
    clock_at(JUNE_L)
    page = client_of(parent)
    done = page.post(f"/parent/sheets/{sheet.pk}/answer/", {"answer": "confirm"}, follow=True)
    assert 'class="msg success"' in done.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.CONFIRMED
    assert 'value="confirm"' not in done.content.decode()  # nothing left to answer


def test_a_dispute_with_a_photo_from_the_phone(money_city, parent, clock_at, settings,
                                               tmp_path) -> None:
    # covers: A7.15
    settings.MEDIA_ROOT = tmp_path
    _taraz, school, child, _direct = money_city
    sheet = put(child, school, JUNE_L, "A")
    clock_at(JUNE_L)
    photo = SimpleUploadedFile("IMG_0001.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, "image/jpeg")
    page = client_of(parent)
    page.post(f"/parent/sheets/{sheet.pk}/answer/",
              {"answer": "dispute", "reason": "Был на месте", "document": photo})
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.DISPUTED
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert "Был на месте" in html and f"/parent/sheets/{sheet.pk}/document/" in html
    document = page.get(f"/parent/sheets/{sheet.pk}/document/")
    assert document.status_code == 200 and document.content[:3] == b"\xff\xd8\xff"
    assert document["Content-Type"] == "image/jpeg"


def test_the_early_confirmation_bug_stays_fixed(money_city) -> None:
    # covers: I17, A7.16, A7.13, I7
    _taraz, school, child, other = money_city
    first = put(child, school, D(2024, 6, 3))
    put(other, school, D(2024, 6, 3))
    with translation.override("en"):
        for answer in (lambda: confirm(sheet=first, on=D(2024, 6, 3), actor=PAR, now=NOW),
                       lambda: dispute(sheet=first, reason="нет", on=D(2024, 6, 3), actor=PAR,
                                       now=NOW)):
            with pytest.raises(SheetError, match="from 29.06.2024"):  # not on the 3rd
                answer()
        # a corrected sheet of a month still being marked is not confirmed either
        Sheet.objects.filter(pk=first.pk).update(state=SheetState.CORRECTED,
                                                 corrected_on=D(2024, 6, 3))
        with pytest.raises(SheetError, match="from 29.06.2024"):
            confirm(sheet=Sheet.objects.get(pk=first.pk), on=D(2024, 6, 4), actor=PAR, now=NOW)
        Sheet.objects.filter(pk=first.pk).update(state=SheetState.OPEN, corrected_on=None)
    # the steps in the window: dispute, the preschool agrees, the parent confirms ...
    mark_many(preschool_id=school.pk, marks=[(child, JUNE_L, "P"), (other, JUNE_L, "P")],
              is_working_day=WORKING, actor=PRE, now=NOW)
    sheet = Sheet.objects.get(pk=first.pk)
    dispute(sheet=sheet, reason="3 июня болел", on=JUNE_L, actor=PAR, now=NOW)
    corrected = sheet.days[:2] + "S" + sheet.days[3:]
    with translation.override("en"), pytest.raises(SheetError, match="has not come yet"):
        answer_dispute(sheet=sheet, agree=True, on=D(2024, 6, 27), actor=PRE, now=NOW,
                       corrected_days=sheet.days[:27] + "S" + sheet.days[28:])
    assert answer_dispute(sheet=sheet, agree=True, on=JUNE_L, actor=PRE, now=NOW,
                          corrected_days=corrected)
    assert confirm(sheet=Sheet.objects.get(pk=sheet.pk), on=JUNE_L, actor=PAR, now=NOW)
    # ... and the preschool saves the day again, the closed sheet's mark as it was, another
    # child's changed: the group is saved, nothing refused
    done = mark_many(preschool_id=school.pk, marks=[(child, JUNE_L, "P"), (other, JUNE_L, "A")],
                     is_working_day=WORKING, actor=PRE, now=NOW)
    assert done.refused == [] and done.changed == 1
    assert Sheet.objects.get(voucher=other, month="2024-06").days[27] == "A"
    with translation.override("en"):  # changing the closed one is still refused, alone
        done = mark_many(preschool_id=school.pk, marks=[(child, JUNE_L, "S")],
                         is_working_day=WORKING, actor=PRE, now=NOW)
    assert [str(e) for _i, e in done.refused] == ["The sheet is no longer open."]


def test_a_month_without_a_pilot_working_day_never_opens_on_its_first(taraz) -> None:
    # covers: I17, I21
    sheet = Sheet(voucher_id=1, preschool_id=1, city="taraz", month="2025-02", days="." * 28)
    City.objects.filter(code="taraz").update(pilot_end=D(2025, 1, 31))
    assert window_opens(sheet) == D(2025, 2, 28)


def test_a_corrected_sheet_is_confirmed_within_2_days_then_never(money_city, parent,
                                                                 clock_at) -> None:
    # covers: A7.16, I7
    _taraz, school, child, _direct = money_city
    sheet = put(child, school, JUNE_L, "A")
    dispute(sheet=sheet, reason="был", on=JUNE_L, actor=PAR, now=NOW)
    answer_dispute(sheet=sheet, agree=True, on=D(2024, 7, 1), actor=PRE, now=NOW,
                   corrected_days=sheet.days[:27] + "P" + sheet.days[28:])
    page = client_of(parent)
    clock_at(D(2024, 7, 3))  # the 2nd calendar day after the correction: still in time
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert 'value="confirm"' in html and 'name="reason"' not in html and "03.07.2024" in html
    clock_at(D(2024, 7, 4))
    html = page.get(f"/parent/sheets/{sheet.pk}/").content.decode()
    assert 'value="confirm"' not in html
    done = page.post(f"/parent/sheets/{sheet.pk}/answer/", {"answer": "confirm"}, follow=True)
    assert 'class="msg error"' in done.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).state == SheetState.CORRECTED


def test_money_in_messages_as_the_reader_writes_it(money_city) -> None:
    # covers: A7.18, A7.12
    taraz, school, child, direct = money_city
    fund(taraz, "2024-04", D(2024, 4, 8))
    funded = Notification.objects.get(kind="funding", recipient_key=child.parent_iin)
    assert Notification.objects.filter(kind="funding").count() == 1  # the direct child: none
    put(child, school, D(2024, 4, 2))
    put(direct, school, D(2024, 4, 2))
    auto_confirm(today=D(2024, 5, 1), now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=NOW)
    paid = Notification.objects.filter(kind="payment")
    assert paid.count() == 2  # every payment, the operator's direct one too
    with translation.override("ru"):
        assert "60\u00a0000,00 ₸" in text_of(funded)
        words = text_of(paid.first())
        assert "60\u00a0000,00 ₸" in words and "15\u00a0000,00 ₸" in words
        assert "тенге" not in words and "60000" not in words
        old = Notification(kind="payment", payload={"month": "2024-04", "state_order":
                                                    "60000.0.", "parent_fee": "15000.0.",
                                                    "days": 22})
        assert "60\u00a0000,00 ₸" in text_of(old)  # a message written before the fix
    with translation.override("en"):
        assert "60\u00a0000,00 ₸" in text_of(paid.first())  # the same in every language


def test_reminders_once_per_sheet_and_kind(money_city, settings, tmp_path) -> None:
    # covers: I17, A7.14, I6, I7
    settings.NOBD_EXPORT_DIR = tmp_path
    _taraz, school, child, other = money_city
    for v in (child, other):
        put(v, school, D(2024, 5, 31))
    confirm(sheet=Sheet.objects.get(voucher=child, month="2024-05"), on=D(2024, 5, 31),
            actor=PAR, now=NOW)
    auto_confirm(today=D(2024, 6, 1), now=NOW)  # the other child's May: silent
    put(child, school, JUNE_L)
    put(other, school, D(2024, 6, 27))
    kinds = lambda: sorted(Notification.objects.filter(kind__startswith="sheet_window")  # noqa: E731
                           .values_list("kind", "payload__sheet"))
    june = {v.pk: Sheet.objects.get(voucher=v, month="2024-06").pk for v in (child, other)}
    assert remind_parents(today=D(2024, 6, 1), now=NOW) == 1  # the other child's silent May
    assert remind_parents(today=D(2024, 6, 27), now=NOW) == 0  # the window is not open yet
    assert remind_parents(today=JUNE_L, now=NOW) == 1  # L marked for one child only
    assert kinds() == [("sheet_window_open", june[child.pk])]
    with CaptureQueriesContext(connection) as queries:
        assert remind_parents(today=D(2024, 6, 29), now=NOW) == 3  # the day before it closes
    assert len(queries) <= 4 * City.objects.count() + 2  # set-based: none per sheet
    assert remind_parents(today=D(2024, 6, 29), now=NOW) == 0  # once per sheet and kind
    assert kinds() == sorted([("sheet_window_open", june[child.pk]),
                              ("sheet_window_open", june[other.pk]),
                              ("sheet_window_closes", june[child.pk]),
                              ("sheet_window_closes", june[other.pk])])
    tick(today=D(2024, 7, 1), now=NOW)  # both silent in June; the other child also in May
    tick(today=D(2024, 7, 1), now=NOW)
    warned = Notification.objects.filter(kind="sheet_unconfirmed", payload__month="2024-06")
    assert [n.payload["sheet"] for n in warned] == [june[child.pk]]  # the second month annuls
    with translation.override("ru"):
        assert "Июнь 2024" in text_of(warned.get())
        assert "30.06.2024" in text_of(Notification.objects.filter(
            kind="sheet_window_closes").first())


def test_the_statement_shows_every_movement_with_the_balance(money_city, parent,
                                                             settings, tmp_path) -> None:
    # covers: A7.12, A7.18, A10, A8.4
    settings.NOBD_EXPORT_DIR = tmp_path
    taraz, school, child, _direct = money_city

    def fund_on(month: str, day: dt.date) -> None:
        request = build_request(city=taraz, month=month, on=day, actor=OPR, now=NOW)
        transfer_to_operator(request=request, on=day, actor=EDU, now=NOW)
        distribute(request=request, on=day, actor=OPR, now=moment_of(day))

    fund_on("2024-04", D(2024, 4, 8))
    put(child, school, D(2024, 4, 2))
    confirm(sheet=put(child, school, D(2024, 4, 30)), on=D(2024, 4, 30), actor=PAR, now=NOW)
    settle(city=taraz, month="2024-04", on=D(2024, 5, 2), actor=OPR, now=moment_of(D(2024, 5, 2)))
    fund_on("2024-05", D(2024, 5, 8))
    account_closed(account=ChildAccount.objects.get(voucher=child), closed_on=D(2024, 5, 10),
                   actor=BANK, now=NOW)
    tick(today=D(2024, 5, 20), now=moment_of(D(2024, 5, 20)))  # A10: the balance goes back
    html = client_of(parent).get(f"/parent/children/{child.pk}/statement/").content.decode()
    order = [html.index(f'class="c-{code}"') for code in ("funding", "payment", "sweep")]
    assert order == sorted(order) and html.count('class="c-funding"') == 2
    assert school.name in html  # paid to which preschool
    assert html.count("+60\u00a0000,00 ₸") == 2 and html.count("−60\u00a0000,00 ₸") == 2
    assert "<strong>0,00 ₸</strong>" in html  # returned: nothing left
    fee = html[html.index("<h2>"):]
    assert "15\u00a0000,00 ₸" in fee and "Апрель 2024" in fee  # the parent fee apart


def test_a_parent_reaches_only_their_own_children(money_city, parent, other_parent, clock_at,
                                                  settings, tmp_path) -> None:
    # covers: A3
    settings.MEDIA_ROOT = tmp_path
    _taraz, school, child, _direct = money_city
    sheet = put(child, school, JUNE_L)
    clock_at(JUNE_L)
    dispute(sheet=sheet, reason="болел", on=JUNE_L, actor=PAR, now=NOW,
            document=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))
    mine, stranger = client_of(parent), client_of(other_parent)
    urls = [f"/parent/sheets/{sheet.pk}/", f"/parent/sheets/{sheet.pk}/document/",
            f"/parent/children/{child.pk}/months/", f"/parent/children/{child.pk}/statement/"]
    for url in urls:
        assert mine.get(url).status_code == 200, url
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/parent/sheets/{sheet.pk}/answer/",
                         {"answer": "confirm"}).status_code == 404
    assert f"/parent/sheets/{sheet.pk}/" not in stranger.get("/parent/sheets/").content.decode()
    assert services.window_opens(sheet) == JUNE_L
