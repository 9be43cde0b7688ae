"""The allocation pages of the city department: confirmation asked before it is done, the parent's
card after a confirmed run, the runs with their frozen inputs (issue 12)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from goszakaz.access.actor import Actor
from goszakaz.audit.models import AuditEntry
from goszakaz.domain.iin import short_iin
from goszakaz.notifications.models import Notification
from goszakaz.queue.models import Application, ApplicationState, RunState
from goszakaz.queue.services import (
    actualize_queue,
    confirm_allocation,
    import_applications,
    preview_allocation,
)
from goszakaz.registry.models import City, Role
from tests.factories import EDU, NOW, PARENT_IIN, app_row, make_user

AS_OF = dt.date(2024, 8, 1)
NAMES = ["Айгерим Сапарова", "Нурлан Ахметов", "Дана Омарова", "Ерлан Касымов", "Алия Нурланова",
         "Тимур Беков", "Асель Жумабаева", "Данияр Серикович", "Мадина Алиева", "Арман Оспанов",
         "Жанна Калиева", "Бауыржан Токаев"]


@pytest.fixture
def queue(taraz, write_csv) -> None:
    # children born 2020: aged 4 on the run's reference day, 6 two years later
    rows = [app_row(str(i), dt.date(2020, 3, 1), f"2022-01-{i:02d}T09:00:00", i,
                    large_family="true" if i % 3 == 0 else "false",
                    parent_iin=PARENT_IIN if i == 3 else "", child_name=NAMES[i - 1])
            for i in range(1, 13)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False,
                        actor=Actor.system(Role.EDU), now=NOW)


@pytest.fixture
def edu(edu_taraz) -> Client:
    client = Client()
    client.force_login(edu_taraz)
    return client


def preview(taraz, edu_taraz, volume: int = 5):
    return preview_allocation(city=taraz, volume=volume, as_of=AS_OF,
                              actor=Actor.of_user(edu_taraz), now=NOW)


def test_one_post_without_the_confirmation_changes_nothing(taraz, queue, edu_taraz, edu) -> None:
    # covers: A7.1, T1.3 (confirming cannot be undone: the first click only says what follows)
    run = preview(taraz, edu_taraz)
    url = f"/edu/allocation/{run.pk}/decide/"
    asked = edu.post(url, {"decision": "confirm"})
    assert asked.status_code == 200
    html = asked.content.decode()
    run.refresh_from_db()
    assert run.state == RunState.PREVIEW
    assert not Application.objects.filter(state=ApplicationState.ALLOCATED).exists()
    assert not Notification.objects.filter(kind="place_allocated").exists()
    follows = html[html.index('id="what-follows"'):html.index("</div>", html.index("what-follows"))]
    assert "5 детей" in follows and "1 родитель " in follows  # 1 parent with a cabinet
    assert 'name="confirmed" value="1"' in html
    done = edu.post(url, {"decision": "confirm", "confirmed": "1"}, follow=True)
    run.refresh_from_db()
    assert run.state == RunState.CONFIRMED
    assert Application.objects.filter(state=ApplicationState.ALLOCATED).count() == 5
    assert "Распределение утверждено" in done.content.decode()


def test_the_confirmation_names_children_and_parents_in_words(taraz, queue, edu_taraz,
                                                              edu) -> None:
    # covers: T1.3
    run = preview(taraz, edu_taraz)
    html = edu.post(f"/edu/allocation/{run.pk}/decide/", {"decision": "confirm"},
                    HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "5 children get places" in text, text
    assert "1 parent is notified" in text and "7 applications stay in the queue" in text


def test_a_discard_needs_no_confirmation_and_a_decided_run_is_not_asked_again(
        taraz, queue, edu_taraz, edu) -> None:
    # covers: A7.1
    run = preview(taraz, edu_taraz)
    edu.post(f"/edu/allocation/{run.pk}/decide/", {"decision": "discard"})
    run.refresh_from_db()
    assert run.state == RunState.DISCARDED
    again = edu.post(f"/edu/allocation/{run.pk}/decide/", {"decision": "confirm"})
    assert again.status_code == 302  # nothing to ask: the run is decided
    run.refresh_from_db()
    assert run.state == RunState.DISCARDED


def test_the_parents_card_and_explanation_agree_after_a_confirmed_run(
        taraz, queue, edu_taraz, parent) -> None:
    # covers: T1.3, T3 (issue 12: the card showed the queue's category and number, the text the
    # run's, when the queue was actualized on another day than the run's date)
    run = preview(taraz, edu_taraz)
    confirm_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW)
    outcome = run.outcomes.get(application__parent_iin=PARENT_IIN)
    assert outcome.category is not None
    actualize_queue(city=taraz, on=dt.date(2026, 12, 1), actor=EDU, now=NOW)
    app = Application.objects.get(parent_iin=PARENT_IIN)
    app.category, app.queue_number = 7, 99  # what an actualization of another day can leave
    app.save(update_fields=["category", "queue_number"])
    client = Client()
    client.force_login(parent)
    html = client.get("/parent/").content.decode()
    card = re.findall(r"Категория: <strong>(\S+)</strong>", html)
    number = re.findall(r"Номер в очереди: <strong>(\S+)</strong>", html)
    assert card == [str(outcome.category)], card
    assert number == [str(outcome.queue_number)], number
    assert f"Категория {outcome.category}:" in html
    assert f"Номер в очереди категории: {outcome.queue_number}." in html


def test_the_runs_of_the_city_with_their_state_in_words_and_who(taraz, queue, edu_taraz, edu,
                                                                  edu_shymkent) -> None:
    # covers: A7.1, T1.4
    kept = preview(taraz, edu_taraz, volume=5)
    dropped = preview(taraz, edu_taraz, volume=3)
    edu.post(f"/edu/allocation/{dropped.pk}/decide/", {"decision": "discard"})
    edu.post(f"/edu/allocation/{kept.pk}/decide/", {"decision": "confirm", "confirmed": "1"})
    html = edu.get("/edu/allocation/").content.decode()
    rows = re.findall(r"<tr><td><a href=\"/edu/allocation/(\d+)/\">([^<]+)</a></td>(.*?)</tr>",
                      html)
    assert [int(pk) for pk, _, _ in rows] == [dropped.pk, kept.pk]  # newest first
    assert all(day == "01.08.2024" for _, day, _ in rows)
    assert "<td>Утверждено<" in rows[1][2] and "<td>Отменено<" in rows[0][2], rows
    assert rows[1][2].count("edu-taraz") == 2  # computed and confirmed by the department
    assert ">preview<" not in html and ">confirmed<" not in html and ">discarded<" not in html
    other = Client()
    other.force_login(edu_shymkent)
    assert "/edu/allocation/" + str(kept.pk) not in other.get("/edu/allocation/").content.decode()


def test_a_run_shows_the_inputs_it_froze_and_its_iterations_as_a_chart(taraz, queue, edu_taraz,
                                                                       edu) -> None:
    # covers: T1.4, T1.5, T1.6, I9
    run = preview(taraz, edu_taraz, volume=5)
    # the queue changes after the run: the run's page still shows what it was computed from
    actualize_queue(city=taraz, on=dt.date(2026, 12, 1), actor=EDU, now=NOW)
    Application.objects.filter(application_id="1").update(state=ApplicationState.WITHDRAWN)
    html = edu.get(f"/edu/allocation/{run.pk}/").content.decode()
    inputs = html[html.index('id="inputs"'):html.index("</table>", html.index('id="inputs"'))]
    cells = re.findall(r"<td[^>]*>([^<]+)</td>", inputs)
    assert cells[:2] == ["01.08.2024", "5"]
    assert "12" in cells  # the applications it was computed from, one withdrawn since
    assert "edu-taraz" in inputs and "taraz-2024" not in html
    cats = {int(n): int(sr) for n, sr in re.findall(
        r'<tr><td class="num">(\d+)</td><td>[^<]+</td><td class="num">\d+</td>'
        r'<td class="num">(\d+)</td>', html)}
    assert cats[1] == 4 and sum(cats.values()) == 12  # Sr per category as frozen
    chart = html[html.index('id="iteration-chart"'):]
    chart = chart[:chart.index("</figure>")]
    assert "<svg" in chart and chart.count("<polyline") == 2  # the categories with demand
    assert chart.count("<circle") == 2 * len(run.iterations)
    assert 'id="iterations"' in html


def list_rows(html: str) -> list[list[str]]:
    table = html[html.index('class="staff-list"'):]
    table = table[table.index("<tbody>"):table.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_the_per_child_list_of_a_run_in_seat_order(taraz, queue, edu_taraz, edu) -> None:
    # covers: T1.7, T1.8, T1.2 (seat order, category, queue number of each child)
    run = preview(taraz, edu_taraz, volume=5)
    html = edu.get(f"/edu/allocation/{run.pk}/").content.decode()
    rows = list_rows(html)
    assert len(rows) == 12 and "12" in html[html.index('class="list-total"'):][:200]
    seated = [r for r in rows if r[0]]
    assert [r[0] for r in seated] == ["1", "2", "3", "4", "5"]  # seat order, then the rest
    outcome = run.outcomes.select_related("application").get(seat_order=1)
    first = seated[0]
    assert first[1] == short_iin(outcome.application.child_iin)
    assert re.fullmatch(r"\d{6}\*{4}\d{2}", first[1]) and outcome.application.child_iin not in html
    assert first[2] == outcome.application.child_name
    assert first[3].startswith(f"{outcome.category} — ")  # the category in words
    assert first[3] != str(outcome.category) and first[4] == str(outcome.queue_number)
    assert first[5] == "place allocated" or "выделено" in first[5].lower()
    assert all(r[0] == "" for r in rows[5:])  # waiting applications follow, no seat
    entry = AuditEntry.objects.filter(action="queue.read", object_type="allocation_run").last()
    assert entry is not None and len(entry.after["applications"]) == 12


def test_the_per_child_list_searches_filters_and_exports_what_it_shows(taraz, queue, edu_taraz,
                                                                        edu) -> None:
    # covers: T1.7, T1.2
    run = preview(taraz, edu_taraz, volume=5)
    url = f"/edu/allocation/{run.pk}/"
    child = run.outcomes.select_related("application").get(seat_order=3).application
    found = list_rows(edu.get(url, {"q": child.child_iin}).content.decode())
    assert [(r[0], r[2]) for r in found] == [("3", child.child_name)]
    by_name = list_rows(edu.get(url, {"q": child.child_name.lower()}).content.decode())
    assert [r[2] for r in by_name] == [child.child_name]
    waiting = list_rows(edu.get(url, {"outcome": "waiting"}).content.decode())
    assert len(waiting) == 7 and all(r[0] == "" for r in waiting)
    exported = edu.get(url, {"outcome": "allocated", "sort": "-seat", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(exported.content)).active
    cells = [[c for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r[0] for r in cells] == [5, 4, 3, 2, 1]  # exactly the selection, in its order
    assert all("****" in r[1] for r in cells)
    # another city's department cannot read the run's children
    stranger = Client()
    stranger.force_login(make_user("edu-x", Role.EDU, City.objects.get(code="shymkent")))
    assert stranger.get(url).status_code == 403
    assert stranger.get(url, {"export": "xlsx"}).status_code == 403
