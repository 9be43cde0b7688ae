"""Vouchers and contracts: the Перечень, the city, design capacity, moves on the 1st, annulment."""

from __future__ import annotations

import datetime as dt

import pytest

from goszakaz.access.actor import Actor
from goszakaz.domain.iin import make_iin
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.models import AnnulmentReason, Contract, VoucherStatus
from goszakaz.enrollment.services import (
    EnrollmentError,
    annul,
    change_preschool,
    grant,
    grant_from_run,
    set_status,
    sign_contract,
)
from goszakaz.notifications.models import Notification
from goszakaz.queue.services import confirm_allocation, import_applications, preview_allocation
from goszakaz.registry.models import AgreementSignature, AgreementVersion, Role
from goszakaz.registry.services import signature_needed
from tests.factories import NOW, PARENT_IIN, app_row, make_preschool, make_voucher

D = dt.date


def test_status_machine_and_history(taraz) -> None:
    # covers: A5, A7.4
    v = make_voucher(taraz, 1)
    assert v.status == VoucherStatus.GRANTED
    assert set_status(voucher=v, to=VoucherStatus.VERIFIED, why="НОБД", actor=Actor.system("OPR"), now=NOW)
    assert not set_status(voucher=v, to=VoucherStatus.VERIFIED, why="again", actor=Actor.system("OPR"),
                          now=NOW)
    with pytest.raises(IllegalTransition):
        set_status(voucher=v, to=VoucherStatus.GRANTED, why="back", actor=Actor.system("OPR"), now=NOW)
    assert [e.after for e in v.events.all()] == ["granted", "verified"]


def test_contract_needs_the_perechen_and_the_same_city(taraz, shymkent) -> None:
    # covers: A4, A6
    v = make_voucher(taraz, 1)
    outside = make_preschool(taraz, 1, included_on=None)
    later = make_preschool(taraz, 2, included_on=D(2024, 9, 1))
    elsewhere = make_preschool(shymkent, 3)
    for preschool, on in ((outside, D(2024, 4, 1)), (later, D(2024, 4, 1)),
                          (elsewhere, D(2024, 4, 1))):
        with pytest.raises(EnrollmentError):
            sign_contract(voucher=v, preschool=preschool, on=on, actor=Actor.system(Role.PAR), now=NOW)
    contract = sign_contract(voucher=v, preschool=later, on=D(2024, 9, 1), actor=Actor.system(Role.PAR),
                             now=NOW)
    assert contract.starts_on == D(2024, 9, 1)


def test_design_capacity_is_never_exceeded(taraz) -> None:
    # covers: A6
    preschool = make_preschool(taraz, 1, capacity=2)
    for serial in (1, 2):
        sign_contract(voucher=make_voucher(taraz, serial), preschool=preschool, on=D(2024, 4, 1),
                      actor=Actor.system(Role.PAR), now=NOW)
    with pytest.raises(EnrollmentError, match="проектной мощности"):
        sign_contract(voucher=make_voucher(taraz, 3), preschool=preschool, on=D(2024, 4, 1),
                      actor=Actor.system(Role.PAR), now=NOW)
    assert preschool.contracts.count() == 2


def test_change_of_preschool_on_the_first_keeps_the_voucher(taraz) -> None:
    # covers: A11, I8, A6
    a, b = make_preschool(taraz, 1, capacity=1), make_preschool(taraz, 2, capacity=1)
    v = make_voucher(taraz, 1)
    first = sign_contract(voucher=v, preschool=a, on=D(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
    with pytest.raises(EnrollmentError):
        sign_contract(voucher=v, preschool=b, on=D(2024, 4, 10), actor=Actor.system(Role.PAR), now=NOW)
    second = change_preschool(voucher=v, preschool=b, requested_on=D(2024, 4, 10),
                              actor=Actor.system(Role.PAR), now=NOW)
    first.refresh_from_db()
    assert (first.ends_on, second.starts_on) == (D(2024, 4, 30), D(2024, 5, 1))
    assert second.voucher_id == v.pk
    # a's only place is free from 1 May: another child may start there on that day, not before.
    other = make_voucher(taraz, 2)
    with pytest.raises(EnrollmentError):
        sign_contract(voucher=other, preschool=a, on=D(2024, 4, 20), actor=Actor.system(Role.PAR), now=NOW)
    assert sign_contract(voucher=other, preschool=a, on=D(2024, 5, 1), actor=Actor.system(Role.PAR), now=NOW)


@pytest.mark.parametrize("reason", [AnnulmentReason.MOVED, AnnulmentReason.DEATH,
                                    AnnulmentReason.ACCOUNT_CLOSED, AnnulmentReason.EXCLUDED])
def test_annulment_ends_the_contract_and_tells_the_parent(taraz, reason) -> None:
    # covers: A12, A13, A10, A7.4
    preschool = make_preschool(taraz, 1, capacity=1)
    v = make_voucher(taraz, 1)
    contract = sign_contract(voucher=v, preschool=preschool, on=D(2024, 4, 1), actor=Actor.system(Role.PAR),
                             now=NOW)
    assert annul(voucher=v, reason=reason, on=D(2024, 6, 15), actor=Actor.system(Role.EDU), now=NOW)
    assert not annul(voucher=v, reason=reason, on=D(2024, 6, 20), actor=Actor.system(Role.EDU), now=NOW)
    v.refresh_from_db()
    contract.refresh_from_db()
    assert (v.status, v.annulled_on, v.annulment_reason) == ("annulled", D(2024, 6, 15), reason)
    assert contract.ends_on == D(2024, 6, 14)
    note = Notification.objects.get(kind="voucher_annulled", recipient_key=PARENT_IIN)
    assert note.payload["reason"] == reason.value
    with pytest.raises(EnrollmentError):
        sign_contract(voucher=v, preschool=preschool, on=D(2024, 7, 1), actor=Actor.system(Role.PAR), now=NOW)
    # The place is free again, and the child may get a new voucher later.
    assert make_voucher(taraz, 1).pk != v.pk


def test_agreement_versions_and_accession_by_contract(taraz) -> None:
    # covers: A7.2, A7.10
    AgreementVersion.objects.create(number=1, published_on=D(2024, 3, 1), summary="v1")
    preschool = make_preschool(taraz, 1)
    assert signature_needed(party_type=Role.PAR, party_key=PARENT_IIN).number == 1
    contract = sign_contract(voucher=make_voucher(taraz, 1), preschool=preschool,
                             on=D(2024, 4, 1), actor=Actor.system(Role.PAR), now=NOW)
    assert contract.agreement_version.number == 1
    assert signature_needed(party_type=Role.PAR, party_key=PARENT_IIN) is None
    AgreementVersion.objects.create(number=2, published_on=D(2024, 5, 1), summary="typos",
                                    adds_obligations=False)
    assert signature_needed(party_type=Role.PAR, party_key=PARENT_IIN) is None
    AgreementVersion.objects.create(number=3, published_on=D(2024, 6, 1), summary="new duty")
    assert signature_needed(party_type=Role.PAR, party_key=PARENT_IIN).number == 3
    assert AgreementSignature.objects.count() == 1


def test_taraz_allocation_grants_vouchers_once(taraz, write_csv, edu_taraz) -> None:
    # covers: A5
    rows = [app_row(str(i), D(2019, 3, 1), f"2023-01-0{i}T10:00:00", i, parent_iin=PARENT_IIN)
            for i in range(1, 5)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False, actor=Actor.system(Role.EDU),
                        now=NOW)
    run = preview_allocation(city=taraz, volume=2, as_of=D(2024, 8, 1), actor=Actor.of_user(edu_taraz),
                             now=NOW)
    confirm_allocation(run=run, actor=Actor.of_user(edu_taraz), now=NOW)
    assert grant_from_run(run=run, actor=Actor.of_user(edu_taraz), now=NOW) == 2
    assert grant_from_run(run=run, actor=Actor.of_user(edu_taraz), now=NOW) == 0
    vouchers = list(taraz.voucher_set.order_by("id"))
    assert [v.application.application_id for v in vouchers] == ["1", "2"]
    assert vouchers[0].period_start == D(2024, 8, 1) and vouchers[0].period_end == D(2024, 12, 25)
    assert Contract.objects.count() == 0


def test_no_voucher_is_granted_outside_the_city_pilot(taraz, write_csv, edu_taraz) -> None:
    # covers: O1
    # an allocation run dated after Taraz's pilot ended (25.12.2024) grants nothing: the period
    # would run from 01.12.2026 back to 25.12.2024
    rows = [app_row("1", D(2019, 3, 1), "2023-01-01T10:00:00", 1, parent_iin=PARENT_IIN)]
    import_applications(city=taraz, path=write_csv(rows), skip_invalid=False,
                        actor=Actor.system(Role.EDU), now=NOW)
    edu = Actor.of_user(edu_taraz)
    run = preview_allocation(city=taraz, volume=1, as_of=D(2026, 12, 1), actor=edu, now=NOW)
    confirm_allocation(run=run, actor=edu, now=NOW)
    with pytest.raises(EnrollmentError, match="25.12.2024"):
        grant_from_run(run=run, actor=edu, now=NOW)
    assert taraz.voucher_set.count() == 0
    with pytest.raises(EnrollmentError, match="01.03.2024 – 25.12.2024"):
        grant(city=taraz, child_iin=make_iin(D(2020, 1, 1), 5), birth_date=D(2020, 1, 1),
              parent_iin=PARENT_IIN, source="city_list", period_start=D(2024, 3, 1),
              period_end=D(2025, 6, 1), actor=edu, now=NOW)
    assert taraz.voucher_set.count() == 0


def test_an_ended_contract_fits_before_a_later_one(taraz) -> None:
    # covers: A6, A7.10
    school = make_preschool(taraz, 1, capacity=1)
    sign_contract(voucher=make_voucher(taraz, 1), preschool=school, on=D(2024, 9, 1),
                  actor=Actor.system(Role.PAR), now=NOW)
    earlier = sign_contract(voucher=make_voucher(taraz, 2), preschool=school, on=D(2024, 3, 1),
                            ends_on=D(2024, 8, 31), actor=Actor.system(Role.PAR), source="imported", now=NOW)
    assert earlier.ends_on == D(2024, 8, 31) and earlier.agreement_version is None
    with pytest.raises(EnrollmentError, match="проектной мощности"):
        sign_contract(voucher=make_voucher(taraz, 3), preschool=school, on=D(2024, 3, 1),
                      ends_on=D(2024, 9, 1), actor=Actor.system(Role.PAR), source="imported", now=NOW)
