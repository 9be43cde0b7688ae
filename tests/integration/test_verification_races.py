"""The НОБД check and protocols under concurrent calls on PostgreSQL (A7.4): no double cases or closings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.domain.states import IllegalTransition
from goszakaz.enrollment.models import Voucher, VoucherStatus
from goszakaz.verification.models import Protocol, RiskCase, RiskCaseEvent
from goszakaz.verification.nobd import FakeNobd, NobdChild
from goszakaz.verification.services import VerificationSummary, receive_lists
from goszakaz.workflows.exclusion import request_exclusion
from goszakaz.workflows.onboarding import check_lists
from goszakaz.workflows.protocol import close_by_protocol
from tests.factories import NOW, make_preschool, make_voucher, pilot_city, race

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_checks_of_the_same_lists_at_once_open_each_case_once() -> None:
    # covers: A7.4
    assert connection.vendor == "postgresql"
    taraz = pilot_city("taraz")
    with transaction.atomic():
        make_preschool(taraz, 1)
        vouchers = [make_voucher(taraz, serial) for serial in range(1, 7)]
        submission, _ = receive_lists(city=taraz, received_on=dt.date(2024, 5, 3), actor=Actor.system("OPR"),
                                      now=NOW)
    nobd = FakeNobd([NobdChild(v.child_iin, v.birth_date, "", "taraz") for v in vouchers[:3]])
    results = race(*[(lambda: check_lists(submission=submission, nobd=nobd, on=dt.date(2024, 5, 6),
                                      actor=Actor.system("OPR"), now=NOW)) for _ in range(3)])
    assert all(isinstance(r, VerificationSummary) for r in results), results
    assert sum(r.cases_opened for r in results) == 4  # 3 unknown IINs, 1 unknown BIN
    assert sum(r.verified for r in results) == 3
    assert RiskCase.objects.count() == 4 and RiskCaseEvent.objects.count() == 4
    assert Voucher.objects.filter(status=VoucherStatus.VERIFIED).count() == 3


def test_protocol_and_exclusion_racing_on_one_case_one_wins() -> None:
    # covers: A7.4
    taraz = pilot_city("taraz")
    with transaction.atomic():
        make_voucher(taraz, 1)
        submission, _ = receive_lists(city=taraz, received_on=dt.date(2024, 5, 3), actor=Actor.system("OPR"),
                                      now=NOW)
        check_lists(submission=submission, nobd=FakeNobd(), on=dt.date(2024, 5, 6),
                    actor=Actor.system("OPR"), now=NOW)
    case = RiskCase.objects.get()
    results = race(
        lambda: close_by_protocol(case=case, decision="confirmed", corrections={}, actor=Actor.system("OPR"),
                                  now=NOW),
        lambda: request_exclusion(case=case, actor=Actor.system("OPR"), now=NOW),
    )
    assert sorted(type(r).__name__ for r in results) == sorted(
        ["IllegalTransition", "Protocol" if Protocol.objects.exists() else "RiskCase"]), results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1
    assert case.events.count() == 2
