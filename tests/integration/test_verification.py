"""The operator's НОБД check of the city's lists (A7.3, A7.4, A7.9): cases, protocols, exclusion, deadline."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from goszakaz.access.actor import Actor
from goszakaz.audit.models import AuditEntry
from goszakaz.deadlines.models import Deadline, DeadlineState
from goszakaz.domain.iin import make_iin
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.models import AnnulmentReason, VoucherStatus
from goszakaz.enrollment.services import grant
from goszakaz.notifications.models import Notification
from goszakaz.registry.models import Role
from goszakaz.rules.calendar import kz_calendar
from goszakaz.verification.models import (
    ProtocolDecision,
    RiskCase,
    RiskCaseKind,
    RiskCaseState,
)
from goszakaz.verification.nobd import CsvNobdExport, FakeNobd, NobdChild, NobdPreschool
from goszakaz.verification.services import (
    EDU_RECIPIENT,
    VerificationError,
    receive_lists,
    report_parent_not_registered,
)
from goszakaz.workflows.exclusion import exclude, request_exclusion
from goszakaz.workflows.onboarding import check_lists
from goszakaz.workflows.protocol import close_by_protocol
from tests.factories import NOW, PARENT_IIN, make_preschool, make_user

D = dt.date
RECEIVED, ON = D(2024, 5, 3), D(2024, 5, 6)
BIRTH = D(2020, 1, 1)


def child(city, serial, name="Иванов Иван Иванович", birth=BIRTH):
    """A granted voucher with a name (the fixtures' vouchers have none)."""
    voucher, _ = grant(city=city, child_iin=make_iin(birth, serial), birth_date=birth,
                       parent_iin=PARENT_IIN, source="city_list", child_name=name,
                       period_start=city.pilot_start, period_end=city.pilot_end,
                       actor=Actor.system(Role.EDU), now=NOW)
    return voucher


def nobd_of(vouchers=(), preschools=(), city="Тараз") -> FakeNobd:
    """НОБД agreeing with our data on every child and preschool given."""
    return FakeNobd([NobdChild(v.child_iin, v.birth_date, v.child_name.upper(), city)
                     for v in vouchers],
                    [NobdPreschool(p.bin, p.name, city) for p in preschools])


def run(city, nobd, received=RECEIVED, on=ON, actor=None):
    who = Actor.of_user(actor) if actor else Actor.system(Role.OPR)
    submission, _ = receive_lists(city=city, received_on=received, actor=who, now=NOW)
    return check_lists(submission=submission, nobd=nobd, on=on, actor=who, now=NOW)


def states(voucher):
    voucher.refresh_from_db()
    return voucher.status


def history(case):
    return [(e.before, e.after) for e in case.events.all()]


def test_lists_open_a_deadline_of_five_business_days(taraz) -> None:
    # covers: A7.3, A7.4
    cal = kz_calendar(2024)
    # May 2024: Saturday 4 May worked for Wednesday 8 May; 7 May (Defender's Day), 9 May (Victory Day)
    assert cal.is_working_day(D(2024, 5, 4))
    assert not any(cal.is_working_day(D(2024, 5, d)) for d in (7, 8, 9))
    make_preschool(taraz, 1)
    child(taraz, 1)
    submission, deadline = receive_lists(city=taraz, received_on=RECEIVED, actor=Actor.system("OPR"), now=NOW)
    # working days after Friday 3 May: Sat 4, Mon 6, Fri 10, Mon 13, Tue 14
    assert (deadline.clause, deadline.city, deadline.due_on) == ("A7.4", "taraz", D(2024, 5, 14))
    assert deadline.subject == "lists/2024-05-03" and deadline.opened_on == RECEIVED
    assert (submission.preschools, submission.children) == (1, 1)
    again, same = receive_lists(city=taraz, received_on=RECEIVED, actor=Actor.system("OPR"), now=NOW)
    assert (again.pk, same.pk) == (submission.pk, deadline.pk)
    assert AuditEntry.objects.filter(action="lists.received").count() == 1


def test_clean_lists_verify_every_child_and_meet_the_deadline(taraz, shymkent) -> None:
    # covers: A7.4
    preschools = [make_preschool(taraz, 1), make_preschool(taraz, 2)]
    make_preschool(taraz, 3, included_on=None)  # not on the Перечень: not checked
    vouchers = [child(taraz, 1), child(taraz, 2, name="")]
    elsewhere = child(shymkent, 3)
    summary = run(taraz, nobd_of(vouchers, preschools))
    assert (summary.preschools_checked, summary.children_checked, summary.cases_opened,
            summary.verified, summary.deadline_met) == (2, 2, 0, 2, True)
    assert [states(v) for v in vouchers] == [VoucherStatus.VERIFIED] * 2
    assert states(elsewhere) == VoucherStatus.GRANTED  # another city's list
    deadline = Deadline.objects.get(clause="A7.4", city="taraz")
    assert (deadline.state, deadline.met_on) == (DeadlineState.MET, ON)


def test_check_against_an_nobd_export_file_in_windows_1251(taraz, tmp_path) -> None:
    # covers: A7.4
    preschool = make_preschool(taraz, 1)
    ok, renamed, missing = (child(taraz, 1, name="Сидорова Анна"), child(taraz, 2),
                            child(taraz, 3))
    rows = ["kind;iin_or_bin;name;birth_date;city",
            f"child;{ok.child_iin};СИДОРОВА АННА;01.01.2020;Тараз",
            f"child;{renamed.child_iin};Петров Пётр Петрович;2020-01-01;Тараз",
            f"preschool;{preschool.bin};Детский сад «Ромашка»;;Тараз"]
    path = tmp_path / "nobd-taraz.csv"
    path.write_bytes("\r\n".join(rows).encode("cp1251"))
    summary = run(taraz, CsvNobdExport(path))
    assert summary.opened_by_kind == {"iin_unknown": 1, "name_differs": 1}
    assert {c.voucher_id for c in RiskCase.objects.all()} == {renamed.pk, missing.pk}
    assert states(ok) == VoucherStatus.VERIFIED


def test_verify_before_the_lists_arrived_is_refused(taraz) -> None:
    # covers: A7.4
    submission, _ = receive_lists(city=taraz, received_on=RECEIVED, actor=Actor.system("OPR"), now=NOW)
    with pytest.raises(VerificationError):
        check_lists(submission=submission, nobd=FakeNobd(), on=D(2024, 5, 2), actor=Actor.system("OPR"),
                    now=NOW)


@pytest.mark.parametrize(("kind", "record"), [
    (RiskCaseKind.IIN_UNKNOWN, None),
    (RiskCaseKind.BIRTH_DATE_DIFFERS, lambda v: NobdChild(v.child_iin, D(2020, 1, 2),
                                                          v.child_name, "Тараз")),
    (RiskCaseKind.NAME_DIFFERS, lambda v: NobdChild(v.child_iin, v.birth_date,
                                                    "Иванова Мария", "taraz")),
    (RiskCaseKind.NOT_RESIDENT, lambda v: NobdChild(v.child_iin, v.birth_date, v.child_name,
                                                    "Шымкент")),
])
def test_each_child_mismatch_opens_a_case(taraz, kind, record) -> None:
    # covers: A7.4, T1.1
    good, bad = child(taraz, 1), child(taraz, 2)
    nobd = nobd_of([good])
    if record is not None:
        nobd.add_child(record(bad))
    summary = run(taraz, nobd)
    case = RiskCase.objects.get()
    assert (case.kind, case.state, case.voucher_id, case.city_id) == (kind, "open", bad.pk, taraz.pk)
    assert case.opened_on == ON and case.submission.received_on == RECEIVED
    assert history(case) == [("", "open")]
    assert summary.opened_by_kind == {kind.value: 1} and summary.verified == 1
    assert (states(good), states(bad)) == (VoucherStatus.VERIFIED, VoucherStatus.GRANTED)


def test_unknown_bin_opens_a_preschool_case(taraz) -> None:
    # covers: A7.4, A4
    known, unknown, moved = (make_preschool(taraz, n) for n in (1, 2, 3))
    nobd = nobd_of([], [known])
    nobd.add_preschool(NobdPreschool(moved.bin, moved.name, "Шымкент"))
    run(taraz, nobd)
    cases = {c.preschool_id: c.kind for c in RiskCase.objects.all()}
    assert cases == {unknown.pk: RiskCaseKind.BIN_UNKNOWN,
                     moved.pk: RiskCaseKind.PRESCHOOL_CITY_DIFFERS}
    assert not RiskCase.objects.filter(voucher__isnull=False).exists()


def test_the_same_mismatch_twice_opens_one_case(taraz) -> None:
    # covers: A7.4
    v, preschool = child(taraz, 1), make_preschool(taraz, 1)
    nobd = FakeNobd([NobdChild(v.child_iin, D(2020, 1, 2), v.child_name, "taraz")])
    assert run(taraz, nobd).cases_opened == 2
    second = run(taraz, nobd)  # the same submission checked again
    assert second.cases_opened == 0 and RiskCase.objects.count() == 2
    # the preschool stays on the Перечень and is checked with every list; once its data are
    # confirmed by protocol the same difference opens no new case
    close_by_protocol(case=RiskCase.objects.get(preschool=preschool), decision="confirmed",
                      corrections={}, actor=Actor.system("OPR"), on=D(2024, 5, 7), now=NOW)
    third = run(taraz, nobd, received=D(2024, 6, 3), on=D(2024, 6, 4))  # next lists
    assert (third.preschools_checked, third.children_checked, third.cases_opened) == (1, 1, 0)
    assert RiskCase.objects.count() == 2 and states(v) == VoucherStatus.GRANTED


def test_a_new_difference_after_a_protocol_is_a_new_case(taraz) -> None:
    # covers: A7.4
    a, b = child(taraz, 1), child(taraz, 2)
    nobd = FakeNobd([NobdChild(a.child_iin, D(2020, 1, 2), a.child_name, "taraz"),
                     NobdChild(b.child_iin, b.birth_date, "Петров Пётр", "taraz")])
    run(taraz, nobd)
    assert RiskCase.objects.count() == 2
    nobd.add_child(NobdChild(b.child_iin, b.birth_date, "Сидоров Сидор", "taraz"))
    assert run(taraz, nobd, received=D(2024, 6, 3), on=D(2024, 6, 4)).cases_opened == 1
    assert RiskCase.objects.filter(voucher=b).count() == 2


def test_protocol_confirming_the_data_lets_the_voucher_go_on(taraz) -> None:
    # covers: A7.4
    opr = make_user("opr", Role.OPR)
    v = child(taraz, 1)
    run(taraz, FakeNobd([NobdChild(v.child_iin, v.birth_date, "Иванов Иван", "taraz")]))
    case = RiskCase.objects.get()
    protocol = close_by_protocol(case=case, decision=ProtocolDecision.CONFIRMED, corrections={},
                                 actor=Actor.of_user(opr), on=D(2024, 5, 10), number="17/2024", now=NOW)
    case.refresh_from_db()
    assert (protocol.number, protocol.date, protocol.decision, protocol.corrections) == (
        "17/2024", D(2024, 5, 10), "confirmed", {})
    assert (case.state, case.closed_on) == (RiskCaseState.CONFIRMED, D(2024, 5, 10))
    assert states(v) == VoucherStatus.VERIFIED
    assert history(case) == [("", "open"), ("open", "confirmed")]
    assert case.events.last().actor == opr and case.events.last().role == "OPR"
    again = close_by_protocol(case=case, decision="confirmed", corrections={}, actor=Actor.of_user(opr),
                              now=NOW)
    assert again.pk == protocol.pk
    with pytest.raises(IllegalTransition):
        close_by_protocol(case=case, decision="corrected", corrections={"child_name": "X"},
                          actor=Actor.of_user(opr), now=NOW)


def test_protocol_correcting_the_data_updates_the_voucher(taraz) -> None:
    # covers: A7.4
    v = child(taraz, 1, name="Ivanov Ivan", birth=D(2020, 1, 1))
    record = NobdChild(v.child_iin, D(2019, 12, 31), "Иванов Иван", "taraz")
    run(taraz, FakeNobd([record]))
    birth_case = RiskCase.objects.get(kind=RiskCaseKind.BIRTH_DATE_DIFFERS)
    name_case = RiskCase.objects.get(kind=RiskCaseKind.NAME_DIFFERS)
    assert birth_case.found == {"ours": "2020-01-01", "nobd": "2019-12-31"}
    protocol = close_by_protocol(case=birth_case, decision="corrected",
                                 corrections={"birth_date": "2019-12-31"},
                                 actor=Actor.system("OPR"), on=D(2024, 5, 8), now=NOW)
    assert protocol.corrections == {"birth_date": {"before": "2020-01-01",
                                                   "after": "2019-12-31"}}
    assert states(v) == VoucherStatus.GRANTED  # the name case is still open
    close_by_protocol(case=name_case, decision="corrected",
                      corrections={"child_name": "  Иванов   Иван "}, actor=Actor.system("OPR"),
                      on=D(2024, 5, 8), now=NOW)
    v.refresh_from_db()
    assert (v.birth_date, v.child_name, v.status) == (D(2019, 12, 31), "Иванов Иван",
                                                      VoucherStatus.VERIFIED)
    # the corrected data match НОБД: checking again finds nothing
    assert run(taraz, FakeNobd([record]), received=D(2024, 6, 3), on=D(2024, 6, 4)) \
        .cases_opened == 0


def test_protocol_corrections_are_checked(taraz) -> None:
    # covers: A7.4
    v, other = child(taraz, 1), child(taraz, 2)
    run(taraz, FakeNobd([NobdChild(other.child_iin, BIRTH, other.child_name, "taraz")]))
    case = RiskCase.objects.get(voucher=v)  # IIN unknown
    bad = [("confirmed", {"child_name": "X"}), ("corrected", {}),
           ("corrected", {"parent_iin": PARENT_IIN}), ("corrected", {"child_iin": "123"}),
           ("corrected", {"child_iin": other.child_iin}), ("corrected", {"birth_date": "2020-02-30"}),
           ("corrected", {"child_name": v.child_name}), ("corrected", {"child_name": "  "})]
    for decision, corrections in bad:
        with pytest.raises(VerificationError):
            close_by_protocol(case=case, decision=decision, corrections=corrections,
                              actor=Actor.system("OPR"), now=NOW)
    right = make_iin(BIRTH, 500)
    close_by_protocol(case=case, decision="corrected", corrections={"child_iin": right},
                      actor=Actor.system("OPR"), now=NOW)
    v.refresh_from_db()
    assert (v.child_iin, v.status) == (right, VoucherStatus.VERIFIED)


def test_exclusion_goes_to_edu_who_annuls_the_voucher(taraz, edu_taraz) -> None:
    # covers: A7.4
    v = child(taraz, 1)
    run(taraz, FakeNobd([NobdChild(v.child_iin, BIRTH, v.child_name, "Шымкент")]))
    case = RiskCase.objects.get()
    with pytest.raises(IllegalTransition):  # EDU excludes only on the operator's notice
        exclude(case=case, on=D(2024, 5, 15), actor=Actor.of_user(edu_taraz), now=NOW)
    request_exclusion(case=case, actor=Actor.system(Role.OPR), on=D(2024, 5, 10), note="no documents",
                      now=NOW)
    request_exclusion(case=case, actor=Actor.system(Role.OPR), on=D(2024, 5, 10), now=NOW)
    notice = Notification.objects.get(kind="exclusion_requested")
    assert (notice.city, notice.recipient_role, notice.recipient_key) == (
        "taraz", EDU_RECIPIENT, "taraz")
    assert notice.payload == {"risk_case": case.pk, "kind": "not_resident", "on": "2024-05-10",
                              "voucher": v.pk}
    assert states(v) == VoucherStatus.GRANTED  # nothing is excluded until EDU acts
    with pytest.raises(IllegalTransition):
        close_by_protocol(case=case, decision="confirmed", corrections={}, actor=Actor.system("OPR"), now=NOW)
    assert exclude(case=case, on=D(2024, 5, 15), actor=Actor.of_user(edu_taraz), now=NOW)
    assert not exclude(case=case, on=D(2024, 5, 16), actor=Actor.of_user(edu_taraz), now=NOW)
    v.refresh_from_db()
    assert (v.status, v.annulment_reason, v.annulled_on) == (
        VoucherStatus.ANNULLED, AnnulmentReason.EXCLUDED, D(2024, 5, 15))
    told = Notification.objects.get(kind="voucher_annulled")
    assert told.recipient_key == PARENT_IIN and told.payload["reason"] == AnnulmentReason.EXCLUDED
    case.refresh_from_db()
    assert (case.state, case.closed_on) == (RiskCaseState.EXCLUDED, D(2024, 5, 15))
    assert history(case) == [("", "open"), ("open", "exclusion_requested"),
                             ("exclusion_requested", "excluded")]
    assert [e.role for e in case.events.all()] == ["OPR", "OPR", "EDU"]
    assert case.events.last().actor == edu_taraz


def test_excluded_preschool_leaves_the_perechen(taraz) -> None:
    # covers: A7.4, A4
    preschool = make_preschool(taraz, 1)
    run(taraz, FakeNobd())
    case = RiskCase.objects.get(preschool=preschool)
    request_exclusion(case=case, actor=Actor.system("OPR"), on=D(2024, 5, 10), now=NOW)
    assert Notification.objects.get(kind="exclusion_requested").payload["preschool"] == preschool.bin
    exclude(case=case, on=D(2024, 6, 1), actor=Actor.system("EDU"), now=NOW)
    preschool.refresh_from_db()
    assert preschool.in_perechen(D(2024, 5, 31)) and not preschool.in_perechen(D(2024, 6, 1))
    assert Notification.objects.get(kind="preschool_excluded").recipient_key == preschool.bin
    assert AuditEntry.objects.filter(action="preschool.excluded", object_id=str(preschool.pk)).exists()


def test_parent_not_registered_goes_to_risk_verification(taraz) -> None:
    # covers: A7.9
    v = child(taraz, 1)
    run(taraz, nobd_of([v]))
    assert states(v) == VoucherStatus.VERIFIED
    case, new = report_parent_not_registered(voucher=v, month="2024-06", on=D(2024, 7, 5),
                                             actor=Actor.system("OPR"), now=NOW)
    same, again = report_parent_not_registered(voucher=v, month="2024-07", on=D(2024, 8, 5),
                                               actor=Actor.system("OPR"), now=NOW)
    assert (new, again, same.pk) == (True, False, case.pk)
    assert case.kind == RiskCaseKind.PARENT_NOT_REGISTERED
    close_by_protocol(case=case, decision="confirmed", corrections={}, actor=Actor.system("OPR"), now=NOW)
    assert states(v) == VoucherStatus.VERIFIED  # a voucher past `granted` stays where it is
    _, later = report_parent_not_registered(voucher=v, month="2024-08", on=D(2024, 9, 5),
                                            actor=Actor.system("OPR"), now=NOW)
    assert later


def test_every_step_is_audited_without_personal_data(taraz) -> None:
    # covers: A7.4
    v = child(taraz, 1)
    run(taraz, FakeNobd([NobdChild(v.child_iin, D(2019, 5, 5), "Петров Пётр", "Шымкент")]))
    cases = list(RiskCase.objects.all())
    close_by_protocol(case=cases[0], decision="corrected", corrections={"birth_date": "2019-05-05"},
                      actor=Actor.system("OPR"), now=NOW)
    close_by_protocol(case=cases[1], decision="confirmed", corrections={}, actor=Actor.system("OPR"), now=NOW)
    request_exclusion(case=cases[2], actor=Actor.system("OPR"), now=NOW)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("risk_case.opened") == 3 and actions.count("risk_case.state") == 3
    assert {"lists.received", "lists.verified", "voucher.corrected"} <= set(actions)
    dump = json.dumps(list(AuditEntry.objects.values("before", "after")), ensure_ascii=False)
    for secret in (v.child_iin, v.child_name, "Петров", "2019-05-05"):
        assert secret not in dump
