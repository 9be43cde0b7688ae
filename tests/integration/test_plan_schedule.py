"""The plan-schedule (Appendix 2, P1-P5): the five milestones as data, updated by the operator
(audited), shown on its page and in the results report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from goszakaz.audit.models import AuditEntry
from goszakaz.domain.states import IllegalTransition
from goszakaz.registry.models import Role
from goszakaz.reports.exports import to_json
from goszakaz.reports.models import Milestone
from goszakaz.reports.pilot import pilot_report
from goszakaz.reports.services import MilestoneRefused, update_milestone
from tests.factories import OPR, make_user, pilot_city

pytestmark = pytest.mark.django_db
D = dt.date
NOW = dt.datetime(2024, 3, 20, 10, tzinfo=dt.UTC)


def test_the_five_milestones_of_the_order() -> None:
    # covers: P1, P2, P3, P4, P5
    plan = {m.code: m for m in Milestone.objects.all()}
    assert {c: m.due_on for c, m in plan.items()} == {
        "P1": D(2024, 2, 24), "P2": D(2024, 2, 29), "P3": D(2024, 2, 29), "P4": D(2024, 3, 15),
        "P5": D(2025, 1, 5)}
    assert "Финансовый центр" in plan["P5"].executor
    assert "Банки второго уровня".lower() in plan["P2"].executor.lower()
    assert plan["P1"].status == "done" and plan["P1"].done_on == D(2024, 2, 29)
    assert plan["P4"].title("kk") and plan["P4"].title("en").startswith("The form")


def test_the_operator_updates_a_milestone_audited() -> None:
    # covers: P2, P5
    update_milestone(code="P2", status="in_progress", actor=OPR, now=NOW, today=D(2024, 3, 20))
    m = update_milestone(code="P2", status="done", done_on=D(2024, 2, 28), note="выезды",
                         actor=OPR, now=NOW, today=D(2024, 3, 20))
    assert (m.status, m.done_on, m.note) == ("done", D(2024, 2, 28), "выезды")
    rows = AuditEntry.objects.filter(action="milestone.updated", object_type="milestone")
    assert [r.after["status"] for r in rows.order_by("pk")] == ["in_progress", "done"]
    update_milestone(code="P2", status="done", note="выезды в три города", actor=OPR, now=NOW,
                     today=D(2024, 3, 20))  # the note alone: audited too
    assert rows.count() == 3
    with pytest.raises(IllegalTransition):
        update_milestone(code="P2", status="planned", actor=OPR, now=NOW, today=D(2024, 3, 20))
    with pytest.raises(MilestoneRefused):
        update_milestone(code="P3", status="done", actor=OPR, now=NOW, today=D(2024, 3, 20))
    with pytest.raises(MilestoneRefused):
        update_milestone(code="P3", status="done", done_on=D(2024, 3, 21), actor=OPR, now=NOW,
                         today=D(2024, 3, 20))
    with pytest.raises(Milestone.DoesNotExist):
        update_milestone(code="P9", status="done", actor=OPR, now=NOW, today=D(2024, 3, 20))


def test_the_report_carries_the_plan_schedule() -> None:
    # covers: P5
    pilot_city("taraz")
    plan = to_json(pilot_report(as_of=D(2025, 1, 5)))["plan_schedule"]
    assert [m["code"] for m in plan] == ["P1", "P2", "P3", "P4", "P5"]
    assert plan[4]["due_on"] == "2025-01-05" and plan[0]["done_on"] == "2024-02-29"


def test_the_operator_page(clock_at: object) -> None:
    # covers: P1
    clock_at(D(2024, 3, 20))  # type: ignore[operator]
    make_user_opr = make_user("opr", Role.OPR)
    client = Client()
    client.force_login(make_user_opr)
    page = client.get("/operator/plan/", HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 200
    assert "Разработка и утверждение формы договора присоединения" in page.content.decode()
    done = client.post("/operator/plan/", {"code": "P4", "status": "done",
                                           "done_on": "2024-03-14", "note": "утверждена"})
    assert done.status_code == 302
    assert Milestone.objects.get(code="P4").done_on == D(2024, 3, 14)
    client.post("/operator/plan/", {"code": "P3", "status": "done", "done_on": "сегодня"})
    assert Milestone.objects.get(code="P3").status == "planned"
