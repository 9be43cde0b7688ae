"""The city's list of children and its existing contracts, imported from real files: all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from django.db import connection, transaction

from goszakaz.access.actor import Actor
from goszakaz.audit.actions import AuditAction
from goszakaz.audit.models import AuditEntry
from goszakaz.cli import main
from goszakaz.domain.iin import make_iin
from goszakaz.enrollment.imports import import_children, import_contracts
from goszakaz.enrollment.models import AnnulmentReason, Contract, Voucher
from goszakaz.enrollment.services import FirstContracts, annul, sign_contract
from goszakaz.files import ImportRejected
from goszakaz.registry.models import Preschool, Role
from tests.factories import (
    NOW,
    OTHER_PARENT_IIN,
    PARENT_IIN,
    make_preschool,
    make_voucher,
    pilot_city,
    race,
)

D = dt.date
B = D(2020, 1, 1)  # make_voucher's birth date
CHILDREN = ["child_iin", "birth_date", "child_name", "parent_iin", "period_start", "period_end"]
CONTRACTS = ["child_iin", "preschool_bin", "starts_on", "ends_on"]


def child(serial: int, name: str = "Әлия Сәтбаева", start: str = "2024-03-01",
          end: str = "") -> list[str]:
    return [make_iin(B, serial), B.isoformat(), name, PARENT_IIN, start, end]


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8",
          delimiter: str = ",") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def children(city, path: Path, skip_invalid: bool = False, rejects: Path | None = None):
    with transaction.atomic():
        return import_children(city=city, path=path, skip_invalid=skip_invalid, rejects=rejects,
                               actor=Actor.system(Role.EDU), now=NOW)


def contracts(city, path: Path, skip_invalid: bool = False, rejects: Path | None = None):
    with transaction.atomic():
        return import_contracts(city=city, path=path, skip_invalid=skip_invalid,
                                rejects=rejects, actor=Actor.system(Role.EDU), now=NOW)


def fields(e: pytest.ExceptionInfo[ImportRejected]) -> list[tuple[int, str]]:
    return [(x.line, x.field) for x in e.value.errors]


# --- the city's list of children (A5, A7.3) ------------------------------------------------

def test_utf8_list_grants_one_voucher_per_child_and_reimport_creates_nothing(
        shymkent, tmp_path) -> None:
    # covers: A5, A7.3, O1
    path = write(tmp_path / "list.csv", CHILDREN,
                 [child(1), child(2, "Нұрлан", "2024-09-01", "2024-11-30")])
    result = children(shymkent, path)
    assert (result.created, result.unchanged, result.errors) == (2, 0, [])
    first = Voucher.objects.get(child_iin=make_iin(B, 1))
    assert (first.city, first.source, first.child_name, first.parent_iin) == (
        shymkent, "city_list", "Әлия Сәтбаева", PARENT_IIN)
    assert (first.period_start, first.period_end) == (D(2024, 3, 1), shymkent.pilot_end)
    assert Voucher.objects.get(child_iin=make_iin(B, 2)).period_end == D(2024, 11, 30)
    again = children(shymkent, path)
    assert (again.created, again.unchanged) == (0, 2)
    assert Voucher.objects.count() == 2
    assert AuditEntry.objects.filter(action="voucher.granted").count() == 2
    assert AuditEntry.objects.filter(action="children.imported").count() == 2


def test_windows_1251_list_with_cyrillic_names(shymkent, tmp_path) -> None:
    # covers: A7.3
    path = write(tmp_path / "list.csv", CHILDREN, [child(1, "Иванова Мария"), child(2, "Петров")],
                 encoding="cp1251", delimiter=";")
    assert children(shymkent, path).created == 2
    assert Voucher.objects.get(child_iin=make_iin(B, 1)).child_name == "Иванова Мария"


def test_xlsx_list(shymkent, tmp_path) -> None:
    # covers: A7.3
    book = openpyxl.Workbook()
    book.active.append(CHILDREN)
    for serial in (1, 2, 3):
        book.active.append([int(make_iin(B, serial)), B, "Әлия", PARENT_IIN, D(2024, 3, 1), None])
    book.save(tmp_path / "list.xlsx")
    assert children(shymkent, tmp_path / "list.xlsx").created == 3


def test_bad_rows_reject_the_whole_list(shymkent, tmp_path) -> None:
    # covers: A5, O1
    rows = [child(1), child(2), child(3, start="2024-02-01"), child(1), child(4, end="2025-01-10")]
    rows[1][1] = "2020-01-02"    # line 3: the IIN encodes another birth date
    rows[1][3] = "12345"         # line 3: parent IIN
    with pytest.raises(ImportRejected) as e:
        children(shymkent, write(tmp_path / "list.csv", CHILDREN, rows))
    assert fields(e) == [(3, "child_iin"), (3, "parent_iin"), (4, "period_start"),
                         (5, "child_iin"), (6, "period_end")]
    assert not Voucher.objects.exists()


def test_skip_invalid_grants_the_good_rows_and_writes_rejects(shymkent, tmp_path) -> None:
    # covers: A5
    rows = [child(1), child(2, start="2023-09-01"), child(3)]
    rejects = tmp_path / "rejects.csv"
    result = children(shymkent, write(tmp_path / "list.csv", CHILDREN, rows), skip_invalid=True,
                      rejects=rejects)
    assert (result.created, [(x.line, x.field) for x in result.errors]) == (2, [(3, "period_start")])
    text = rejects.read_text(encoding="utf-8").splitlines()
    assert text[1].startswith("3,period_start: is outside the city's pilot period")


def test_pilot_period_is_the_citys_own(db, tmp_path) -> None:
    # covers: O1, I16
    uralsk = pilot_city("uralsk")
    with pytest.raises(ImportRejected) as e:
        children(uralsk, write(tmp_path / "a.csv", CHILDREN, [child(1, start="2024-10-01")]))
    assert fields(e) == [(2, "period_start")]
    children(uralsk, write(tmp_path / "b.csv", CHILDREN, [child(1, start="2024-11-01")]))
    assert Voucher.objects.get(city=uralsk).period_end is None  # open-ended pilot


def test_list_conflicting_with_vouchers_already_granted(shymkent, taraz, tmp_path) -> None:
    # covers: A5, A12
    make_voucher(shymkent, 1)                                    # same child, same voucher
    make_voucher(shymkent, 2)                                    # same child, other parent
    make_voucher(taraz, 3)                                       # live in another city
    annul(voucher=make_voucher(shymkent, 4), reason=AnnulmentReason.EXCLUDED, on=D(2024, 6, 1),
          actor=Actor.system(Role.OPR), now=NOW)
    rows = [child(1, end="2024-12-25"), child(2), child(3), child(4), child(5)]
    rows[1][3] = OTHER_PARENT_IIN
    with pytest.raises(ImportRejected) as e:
        children(shymkent, write(tmp_path / "a.csv", CHILDREN, rows))
    assert fields(e) == [(3, "parent_iin"), (4, "child_iin"), (5, "period_start")]
    result = children(shymkent, write(tmp_path / "b.csv", CHILDREN,
                                      [child(1), child(4, start="2024-07-01")]))
    assert (result.created, result.unchanged) == (1, 1)  # a new voucher after the annulment


# --- existing contracts (A7.10) --------------------------------------------------------------

def test_contracts_imported_within_capacity_and_reimport_changes_nothing(
        shymkent, tmp_path) -> None:
    # covers: A7.10, A6, A4
    a = make_preschool(shymkent, 1, capacity=2)
    vouchers = [make_voucher(shymkent, s) for s in (1, 2)]
    path = write(tmp_path / "k.csv", CONTRACTS, [
        [vouchers[0].child_iin, a.bin, "2024-03-01", "2024-05-31"],
        [vouchers[1].child_iin, a.bin, "2024-04-01", ""],
    ])
    result = contracts(shymkent, path)
    assert (result.created, result.unchanged, result.errors) == (2, 0, [])
    first = Contract.objects.get(voucher=vouchers[0])
    assert (first.source, first.starts_on, first.ends_on) == ("imported", D(2024, 3, 1),
                                                              D(2024, 5, 31))
    again = contracts(shymkent, path)
    assert (again.created, again.unchanged) == (0, 2)
    assert Contract.objects.count() == 2
    # A contract ended by the platform since (annulment) is still "unchanged" on re-import.
    annul(voucher=vouchers[1], reason=AnnulmentReason.MOVED, on=D(2024, 8, 1), actor=Actor.system(Role.EDU),
          now=NOW)
    assert contracts(shymkent, path).unchanged == 2


def test_over_capacity_rejects_the_whole_contracts_file(shymkent, tmp_path) -> None:
    # covers: A6, A7.10
    a = make_preschool(shymkent, 1, capacity=2)
    rows = [[make_voucher(shymkent, s).child_iin, a.bin, "2024-04-01", ""] for s in (1, 2, 3)]
    path = write(tmp_path / "k.csv", CONTRACTS, rows)
    with pytest.raises(ImportRejected) as e:
        contracts(shymkent, path)
    assert fields(e) == [(4, "preschool_bin")]
    assert "проектной мощности" in e.value.errors[0].message
    assert not Contract.objects.exists()
    rejects = tmp_path / "rejects.csv"
    result = contracts(shymkent, path, skip_invalid=True, rejects=rejects)
    assert result.created == 2 and a.contracts.count() == 2
    assert rejects.read_text(encoding="utf-8").splitlines()[1].startswith("4,preschool_bin: ")


def test_first_contracts_signed_together_count_places_with_the_ones_signed_alone(
        shymkent, tmp_path) -> None:
    # covers: A6, A7.10, A11
    # one place: a first contract to 14.04, another child's from 15.04 (both signed together),
    # then a child who held a contract elsewhere moves in on 01.06 (signed alone, after them):
    # the place is taken from 15.04 on, so the move is refused, and every contract signed
    # leaves its audit row
    a, b = make_preschool(shymkent, 1, capacity=1), make_preschool(shymkent, 2, capacity=1)
    v = [make_voucher(shymkent, s) for s in (1, 2, 3)]
    sign_contract(voucher=v[2], preschool=b, on=D(2024, 3, 1), ends_on=D(2024, 5, 31),
                  actor=Actor.system(Role.PAR), now=NOW)
    path = write(tmp_path / "k.csv", CONTRACTS, [
        [v[0].child_iin, a.bin, "2024-03-01", "2024-04-14"],
        [v[1].child_iin, a.bin, "2024-04-15", ""],
        [v[2].child_iin, a.bin, "2024-06-01", ""],
    ])
    result = contracts(shymkent, path, skip_invalid=True)
    assert result.created == 2
    assert [(e.line, e.field) for e in result.errors] == [(4, "preschool_bin")]
    assert "проектной мощности" in result.errors[0].message
    assert sorted(a.contracts.values_list("voucher_id", "starts_on")) == [
        (v[0].pk, D(2024, 3, 1)), (v[1].pk, D(2024, 4, 15))]
    signed = AuditEntry.objects.filter(action=AuditAction.CONTRACT_SIGNED, after__source="imported")
    assert sorted((e.children[0], e.after["starts_on"], e.city) for e in signed) == [
        (v[0].pk, "2024-03-01", "shymkent"), (v[1].pk, "2024-04-15", "shymkent")]


def test_a_first_contract_signed_online_meanwhile_keeps_the_parents(shymkent) -> None:
    # covers: A11, A7.10
    # the import read the children's contracts when it began; a parent who signs online before
    # its contracts are written keeps that contract, and the import's row for the child is
    # refused, not a second contract in force
    a, b = make_preschool(shymkent, 1, capacity=5), make_preschool(shymkent, 2, capacity=5)
    v, w = make_voucher(shymkent, 1), make_voucher(shymkent, 2)
    first = FirstContracts(actor=Actor.system(Role.EDU), now=NOW)
    first.add(voucher=v, preschool=a, on=D(2024, 3, 1), key="row 2")
    first.add(voucher=w, preschool=a, on=D(2024, 3, 1), key="row 3")
    sign_contract(voucher=v, preschool=b, on=D(2024, 3, 1), actor=Actor.system(Role.PAR), now=NOW)
    refused = first.save()
    assert list(refused) == ["row 2"] and "A11" in str(refused["row 2"])
    assert sorted(Contract.objects.values_list("voucher_id", "preschool_id")) == [
        (v.pk, b.pk), (w.pk, a.pk)]


def test_every_bad_contract_row_is_named(shymkent, taraz, tmp_path) -> None:
    # covers: A4, A6, A7.10, A11
    here = make_preschool(shymkent, 1, capacity=5)
    later = make_preschool(shymkent, 2, capacity=5, included_on=D(2024, 9, 1))
    there = make_preschool(taraz, 3, capacity=5)
    held = make_voucher(shymkent, 1)
    sign_contract(voucher=held, preschool=here, on=D(2024, 3, 1), actor=Actor.system(Role.PAR), now=NOW)
    mover = make_voucher(shymkent, 5)
    unknown = make_preschool(shymkent, 4).bin
    Preschool.objects.filter(bin=unknown).delete()
    wrong_digit = here.bin[:-1] + str((int(here.bin[-1]) + 1) % 10)
    rows = [
        [held.child_iin, later.bin, "2024-10-01", ""],               # 2: contract in force
        [make_iin(B, 2), here.bin, "2024-04-01", ""],                # 3: no voucher
        [make_voucher(shymkent, 3).child_iin, there.bin, "2024-04-01", ""],  # 4: other city
        [make_voucher(shymkent, 4).child_iin, later.bin, "2024-04-01", ""],  # 5: Перечень
        [make_voucher(shymkent, 6).child_iin, wrong_digit, "2024-04-01", ""],  # 6: invalid BIN
        [mover.child_iin, here.bin, "2024-04-01", "2024-09-14"],
        [mover.child_iin, later.bin, "2024-09-15", ""],              # 8: move mid-month
        [make_voucher(shymkent, 7).child_iin, here.bin, "2024-02-01", ""],  # 9: before voucher
        [make_voucher(shymkent, 8).child_iin, unknown, "2024-04-01", ""],  # 10: unknown BIN
    ]
    with pytest.raises(ImportRejected) as e:
        contracts(shymkent, write(tmp_path / "k.csv", CONTRACTS, rows))
    assert fields(e) == [(2, "child_iin"), (3, "child_iin"), (4, "preschool_bin"),
                         (5, "preschool_bin"), (6, "preschool_bin"), (8, "starts_on"),
                         (9, "preschool_bin"), (9, "starts_on"), (10, "preschool_bin")]
    assert "no preschool with this BIN" in e.value.errors[-1].message
    assert Contract.objects.count() == 1  # only the one signed before


def test_a_childs_contracts_in_any_order_move_on_the_first(shymkent, tmp_path) -> None:
    # covers: A11, I8, A7.10
    a, b = make_preschool(shymkent, 1, capacity=1), make_preschool(shymkent, 2, capacity=1)
    v, other = make_voucher(shymkent, 1), make_voucher(shymkent, 2)
    path = write(tmp_path / "k.csv", CONTRACTS, [
        [v.child_iin, b.bin, "2024-09-01", ""],
        [other.child_iin, a.bin, "2024-09-01", ""],                  # a's place is free by then
        [v.child_iin, a.bin, "2024-03-01", "2024-08-31"],
    ], encoding="cp1251", delimiter=";")
    assert contracts(shymkent, path).created == 3
    assert [(c.preschool, c.starts_on, c.ends_on) for c in v.contracts.order_by("starts_on")] == [
        (a, D(2024, 3, 1), D(2024, 8, 31)), (b, D(2024, 9, 1), None)]


def test_an_imported_move_months_after_the_old_contract_ended_still_starts_on_a_1st(
        shymkent, tmp_path) -> None:
    # covers: A11, A7.10
    a, b = make_preschool(shymkent, 1, capacity=1), make_preschool(shymkent, 2, capacity=1)
    v = make_voucher(shymkent, 1)
    path = write(tmp_path / "k.csv", CONTRACTS, [
        [v.child_iin, a.bin, "2024-03-01", "2024-04-14"],
        [v.child_iin, b.bin, "2024-05-15", ""],  # another preschool, mid-month: refused
    ])
    with pytest.raises(ImportRejected) as e:
        contracts(shymkent, path)
    assert [(err.field, "2024-06-01" in err.message) for err in e.value.errors] == [
        ("starts_on", True)]
    same = write(tmp_path / "s.csv", CONTRACTS, [
        [v.child_iin, a.bin, "2024-03-01", "2024-04-14"],
        [v.child_iin, a.bin, "2024-05-15", ""],  # the same preschool again: not a move
    ])
    assert contracts(shymkent, same).created == 2


def test_contracts_from_xlsx(shymkent, tmp_path) -> None:
    # covers: A7.10
    a = make_preschool(shymkent, 1, capacity=3)
    book = openpyxl.Workbook()
    book.active.append(CONTRACTS)
    for s in (1, 2):
        book.active.append([int(make_voucher(shymkent, s).child_iin), int(a.bin),
                            dt.datetime(2024, 4, 1), None])
    book.save(tmp_path / "k.xlsx")
    assert contracts(shymkent, tmp_path / "k.xlsx").created == 2


def test_changed_end_of_an_existing_contract_is_an_error(shymkent, tmp_path) -> None:
    # covers: A7.10
    a = make_preschool(shymkent, 1)
    v = make_voucher(shymkent, 1)
    contracts(shymkent, write(tmp_path / "a.csv", CONTRACTS, [[v.child_iin, a.bin, "2024-04-01", ""]]))
    with pytest.raises(ImportRejected) as e:
        contracts(shymkent, write(tmp_path / "b.csv", CONTRACTS,
                                  [[v.child_iin, a.bin, "2024-04-01", "2024-06-30"]]))
    assert fields(e) == [(2, "ends_on")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_contract_import_needs_the_callers_transaction(tmp_path) -> None:
    path = write(tmp_path / "k.csv", CONTRACTS, [])
    with pytest.raises(RuntimeError, match="atomic"):
        import_contracts(city=pilot_city("shymkent"), path=path, skip_invalid=False,
                         actor=Actor.system(Role.EDU), now=NOW)


# --- the command line ---------------------------------------------------------------------

def test_cli_exit_codes(shymkent, tmp_path, capsys) -> None:
    # covers: A7.3, A7.10
    rows = [child(1), child(2), child(3)]
    rows[2][4] = "someday"
    path = write(tmp_path / "list.csv", CHILDREN, rows)
    assert main(["import-children", "--city", "shymkent", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert "line 4: period_start: 'someday' is not a date" in err and PARENT_IIN not in err
    assert not Voucher.objects.exists()
    assert main(["import-children", "--city", "shymkent", "--file", str(path),
                 "--skip-invalid"]) == 0
    assert "created 2, updated 0, unchanged 0, rejected 1" in capsys.readouterr().out
    assert Path(str(path) + ".rejects.csv").exists() and Voucher.objects.count() == 2
    assert main(["import-children", "--city", "nowhere", "--file", str(path)]) == 2
    headless = write(tmp_path / "h.csv", ["child_iin"], [[make_iin(B, 9)]])
    assert main(["import-children", "--city", "shymkent", "--file", str(headless),
                 "--skip-invalid"]) == 2
    assert "line 1: birth_date: column is missing" in capsys.readouterr().err

    a = make_preschool(shymkent, 1, capacity=1)
    k = write(tmp_path / "k.csv", CONTRACTS, [[make_iin(B, s), a.bin, "2024-04-01", ""]
                                              for s in (1, 2)])
    rejects = tmp_path / "k-rejects.csv"
    assert main(["import-contracts", "--city", "shymkent", "--file", str(k)]) == 2
    assert "line 3: preschool_bin: The preschool has no free place" in capsys.readouterr().err
    assert not Contract.objects.exists()
    assert main(["import-contracts", "--city", "shymkent", "--file", str(k), "--skip-invalid",
                 "--rejects", str(rejects)]) == 0
    assert Contract.objects.count() == 1 and rejects.exists()
    assert main(["import-contracts", "--city", "shymkent", "--file",
                 str(tmp_path / "missing.csv")]) == 2


# --- PostgreSQL: two imports of one list at the same moment ---------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_one_list_at_once_grant_each_voucher_once(tmp_path) -> None:
    # covers: A5
    assert connection.vendor == "postgresql"
    shymkent = pilot_city("shymkent")
    path = write(tmp_path / "list.csv", CHILDREN, [child(s) for s in range(1, 21)])
    results = race(*[
        (lambda: import_children(city=shymkent, path=path, skip_invalid=False, actor=Actor.system(Role.EDU),
                                 now=NOW)) for _ in range(2)])
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 20), (20, 0)], results
    assert Voucher.objects.filter(city=shymkent).count() == 20
