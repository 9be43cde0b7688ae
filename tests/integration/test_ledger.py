"""The ledger: exactly-once posting, no overdraft, append-only, and `ledger verify` (DESIGN, Money)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.enrollment.services import sign_contract
from goszakaz.finance.ledger import LedgerError, Spec, account, post, post_batch
from goszakaz.finance.models import AccountKind, LedgerAccount, Transfer
from goszakaz.finance.verify import verify
from goszakaz.registry.models import Role
from tests.factories import NOW, make_preschool, make_voucher

MONTH = "2024-04"


@pytest.fixture
def books(taraz):
    voucher = make_voucher(taraz, 1)
    school = make_preschool(taraz, 1)
    sign_contract(voucher=voucher, preschool=school, on=dt.date(2024, 4, 1), actor=Actor.system(Role.PAR),
                  now=NOW)
    budget = account(kind=AccountKind.BUDGET, owner="taraz", city="taraz", no_overdraft=False)
    operator = account(kind=AccountKind.OPERATOR, owner="taraz", city="taraz")
    child = account(kind=AccountKind.CHILD, owner=str(voucher.pk), city="taraz")
    pre = account(kind=AccountKind.PRESCHOOL, owner=school.bin, city="taraz")
    return voucher, school, budget, operator, child, pre


def spec(id_, debit, credit, amount, code="funding", child=None) -> Spec:
    return Spec(id=id_, debit=debit.pk, credit=credit.pk, amount=amount, code=code,
                period=MONTH, city="taraz", child=child)


def balances(*accounts) -> list[int]:
    return [LedgerAccount.objects.get(pk=a.pk).balance for a in accounts]


def test_the_money_flows_per_child_and_verify_is_clean(books) -> None:
    # covers: A2, A7.12, A7.18
    voucher, _, budget, operator, child, pre = books
    post(spec("budget/taraz/2024-04", budget, operator, 6_000_000, "budget"), now=NOW)
    post(spec(f"funding/{voucher.pk}/2024-04", operator, child, 6_000_000, child=voucher.pk), now=NOW)
    post(spec(f"payment/{voucher.pk}/2024-04", child, pre, 5_727_273, "payment",
              child=voucher.pk), now=NOW)
    assert balances(budget, operator, child, pre) == [-6_000_000, 0, 272_727, 5_727_273]
    assert verify() == []


def test_the_same_id_posts_once_and_a_reused_id_is_refused(books) -> None:
    # covers: A2
    voucher, _, budget, operator, child, _ = books
    first = post(spec("budget/taraz/2024-04", budget, operator, 100, "budget"), now=NOW)
    again = post(spec("budget/taraz/2024-04", budget, operator, 100, "budget"), now=NOW)
    assert first.pk == again.pk and Transfer.objects.count() == 1
    with pytest.raises(LedgerError, match="already used"):
        post(spec("budget/taraz/2024-04", budget, operator, 999, "budget"), now=NOW)
    assert balances(operator) == [100]


def test_no_overdraft_of_a_child_account(books) -> None:
    # covers: A7.18, I5
    voucher, _, budget, operator, child, pre = books
    post(spec("budget/1", budget, operator, 1_000, "budget"), now=NOW)
    post(spec("funding/1", operator, child, 1_000, child=voucher.pk), now=NOW)
    with pytest.raises(LedgerError, match="needs"):
        post(spec("payment/1", child, pre, 1_001, "payment", child=voucher.pk), now=NOW)
    assert balances(child) == [1_000]


def test_a_batch_posts_once_and_fails_whole(books) -> None:
    # covers: A7.12
    voucher, _, budget, operator, child, pre = books
    batch = [spec("budget/b", budget, operator, 500, "budget"),
             spec("funding/b", operator, child, 500, child=voucher.pk),
             spec("payment/b", child, pre, 400, "payment", child=voucher.pk)]
    assert post_batch(batch, now=NOW) == 3
    assert post_batch(batch, now=NOW) == 0
    assert balances(budget, operator, child, pre) == [-500, 0, 100, 400]
    too_much = [spec("payment/c", child, pre, 101, "payment", child=voucher.pk)]
    with pytest.raises(LedgerError), transaction.atomic():
        post_batch(too_much, now=NOW)
    assert balances(child, pre) == [100, 400] and verify() == []


def test_verify_names_a_payment_to_another_childs_preschool(books, taraz) -> None:
    # covers: A7.18
    voucher, _, budget, operator, child, _ = books
    stranger = make_preschool(taraz, 2)
    other = account(kind=AccountKind.PRESCHOOL, owner=stranger.bin, city="taraz")
    post(spec("budget/x", budget, operator, 10, "budget"), now=NOW)
    post(spec("funding/x", operator, child, 10, child=voucher.pk), now=NOW)
    post(spec("payment/x", child, other, 10, "payment", child=voucher.pk), now=NOW)
    assert verify() == ["a child account pays only its child's preschool or the operator: "
                        "payment/x"]


def test_verify_names_a_balance_that_is_not_its_transfers(books) -> None:
    _, _, budget, operator, _, _ = books
    post(spec("budget/y", budget, operator, 10, "budget"), now=NOW)
    LedgerAccount.objects.filter(pk=operator.pk).update(credits_posted=11)
    problems = verify()
    assert any(p.startswith("every balance is the sum of its transfers: operator:taraz")
               for p in problems)
    assert any(p.startswith("total debits equal total credits") for p in problems)


@pytest.mark.postgres
def test_transfers_are_append_only_on_postgresql(books) -> None:
    # covers: A2
    assert connection.vendor == "postgresql"
    _, _, budget, operator, _, _ = books
    post(spec("budget/z", budget, operator, 10, "budget"), now=NOW)
    for statement in ("UPDATE finance_transfer SET amount = 1", "DELETE FROM finance_transfer"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cur:
            cur.execute(statement)
    assert Transfer.objects.get().amount == 10


def test_ledger_verify_command_exit_codes(books, capsys) -> None:
    from goszakaz.cli import main

    _, _, budget, operator, _, _ = books
    post(spec("budget/cli", budget, operator, 10, "budget"), now=NOW)
    assert main(["ledger", "verify"]) == 0
    assert "ledger: clean" in capsys.readouterr().out
    LedgerAccount.objects.filter(pk=operator.pk).update(credits_posted=9)
    assert main(["ledger", "verify"]) == 1
    assert "every balance is the sum of its transfers: operator:taraz" in capsys.readouterr().err
