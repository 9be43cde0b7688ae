"""The НОБД check through the web: the operator uploads an export, decides cases; EDU excludes."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from goszakaz import clock
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import VoucherStatus
from goszakaz.jobs.models import Job
from goszakaz.jobs.services import input_path
from goszakaz.registry.models import Role
from goszakaz.verification.models import RiskCase
from goszakaz.workflows.jobs import run_next
from tests.factories import make_preschool, make_user, make_voucher


def run_jobs() -> list[Job]:
    """What the worker (`goszakaz worker --once`) does: every waiting job, in order."""
    done = []
    while (job := run_next(now=clock.now)) is not None:
        done.append(job)
    return done


def rows(page: str, table: str) -> list[list[str]]:
    """The body rows of the page's table with this id, each as the text of its cells."""
    body = page.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]*>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)]


def list_rows(page: str) -> list[list[str]]:
    """The rows of the page's staff list (web/_staff_list.html), each as its cells' text."""
    body = page.split('class="staff-list"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]*>", "", cell).strip()
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_operator_checks_lists_and_edu_excludes(taraz, edu_taraz, edu_shymkent,
                                                clock_at) -> None:
    # covers: A7.3, A7.4
    clock_at(dt.date(2024, 5, 3))
    school = make_preschool(taraz, 1)
    ok, wrong_name, unknown = (make_voucher(taraz, i) for i in (1, 2, 3))
    for v, name in ((ok, "Иванова Айгерим"), (wrong_name, "Петров Пётр")):
        v.child_name = name
        v.save()
    export = "\n".join([
        "kind,iin_or_bin,name,birth_date,city",
        f"child,{ok.child_iin},Иванова Айгерим,{ok.birth_date},taraz",
        f"child,{wrong_name.child_iin},Сидоров Иван,{wrong_name.birth_date},taraz",
        f"preschool,{school.bin},{school.name},,taraz",
    ]).encode("utf-8")
    operator = Client()
    operator.force_login(make_user("opr", Role.OPR))
    started = operator.post("/operator/cases/", {"city": taraz.pk, "export": SimpleUploadedFile(
        "nobd.csv", export)}, follow=True).content.decode()
    # the check is a background job: the page says so and polls the checks' table
    assert "в фоновом режиме" in started and 'hx-trigger="every 2s"' in started
    assert RiskCase.objects.count() == 0
    job = Job.objects.get()
    assert input_path(job).exists()
    assert [j.state for j in run_jobs()] == ["done"]
    assert not input_path(job).exists()  # the export (personal data) is not kept
    polled = operator.get("/operator/cases/?checks=1", HTTP_HX_REQUEST="true").content.decode()
    # the result in words, not the summary's repr; the polling stops once it is done
    assert "VerificationSummary" not in polled and "риск-кейсов — 2" in polled, polled
    assert "hx-trigger" not in polled and "<h1>" not in polled
    ok.refresh_from_db()
    assert ok.status == VoucherStatus.VERIFIED
    kinds = dict(RiskCase.objects.values_list("voucher_id", "kind"))
    assert kinds == {wrong_name.pk: "name_differs", unknown.pk: "iin_unknown"}
    unknown_case = RiskCase.objects.get(voucher=unknown)
    page = operator.get("/operator/cases/").content.decode()
    assert [str(unknown_case.pk), "Тараз", "—", short_iin(unknown.child_iin),
            "ИИН не найден в НОБД", "Открыт", "03.05.2024", "0", "", ""] in list_rows(page)
    assert f'<a href="/operator/cases/{unknown_case.pk}/">' in page

    name_case = RiskCase.objects.get(voucher=wrong_name)
    decided = operator.post(f"/operator/cases/{name_case.pk}/", {
        "decision": "corrected", "number": "P-1", "dated": "2024-05-03",
        "note": "Свидетельство о рождении", "child_name": "Сидоров Иван"}, follow=True)
    wrong_name.refresh_from_db()
    assert (wrong_name.child_name, wrong_name.status) == ("Сидоров Иван", VoucherStatus.VERIFIED)
    # the protocol's number, date and text are kept and shown (issue 12)
    shown = decided.content.decode()
    assert '<span id="protocol-number">P-1</span>' in shown and "03.05.2024" in shown
    assert "Свидетельство о рождении" in shown and 'id="decide"' not in shown

    operator.post(f"/operator/cases/{unknown_case.pk}/", {"decision": "exclusion",
                                                          "number": "ИСК-7",
                                                          "dated": "2024-05-03",
                                                          "note": "нет в НОБД"})
    elsewhere = Client()
    elsewhere.force_login(edu_shymkent)
    assert elsewhere.post(f"/edu/exclusions/{unknown_case.pk}/exclude/").status_code == 403
    edu = Client()
    edu.force_login(edu_taraz)
    page = edu.get("/edu/exclusions/").content.decode()
    # the operator's document number is kept and shown with the notice (issue 12)
    notice = RiskCase.objects.get(pk=unknown_case.pk).events.order_by("at", "pk").last()
    assert rows(page, "exclusions") == [[str(unknown_case.pk), f"госзаказ {unknown.pk}",
                                         "ИИН не найден в НОБД",
                                         f"{notice.at:%d.%m.%Y} — № ИСК-7: нет в НОБД",
                                         "Исключить"]]
    assert f'action="/edu/exclusions/{unknown_case.pk}/exclude/"' in page
    edu.post(f"/edu/exclusions/{unknown_case.pk}/exclude/")
    unknown.refresh_from_db()
    assert (unknown.status, unknown.annulment_reason) == ("annulled",
                                                          "excluded_after_verification")
    history = [e.after for e in RiskCase.objects.get(pk=unknown_case.pk).events.all()]
    assert history == ["open", "exclusion_requested", "excluded"]


def test_a_broken_export_is_refused_with_its_lines(taraz, monkeypatch) -> None:
    # covers: A7.4
    operator = Client()
    operator.force_login(make_user("opr", Role.OPR))
    bad = b"kind,iin_or_bin,name,birth_date,city\nchild,123,X,2020-01-01,taraz\n"
    operator.post("/operator/cases/", {"city": taraz.pk,
                                       "export": SimpleUploadedFile("n.csv", bad)})
    assert [j.state for j in run_jobs()] == ["failed"]
    page = operator.get("/operator/cases/").content.decode()
    assert "line 2" in page
    assert not RiskCase.objects.exists()
