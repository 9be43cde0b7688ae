"""In a real browser: the bank finds a child's account, closes it after reading what follows, and
exports its lists; each file's rows equal the list's."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from goszakaz.banking.models import ChildAccount
from goszakaz.enrollment.models import Voucher
from goszakaz.registry.models import Bank, Membership, Role
from tests.factories import make_user, make_voucher, pilot_city


def test_the_bank_closes_an_account_after_confirming(page, live_server) -> None:
    # covers: A10
    taraz = pilot_city("taraz")
    halyk = Bank.objects.create(code="halyk", name="Halyk", bin="920140000084")
    user = make_user("halyk", Role.BANK)
    Membership.objects.filter(user=user).update(bank=halyk)
    vouchers = [make_voucher(taraz, 10 + 4 * i) for i in range(3)]
    for i, v in enumerate(vouchers):
        ChildAccount.objects.create(voucher=v, bank=halyk, city="taraz", status="opened",
                                    requested_on=dt.date(2024, 3, 20),
                                    opened_on=dt.date(2024, 3, 25),
                                    number=f"KZ86125KZT50041001{i:02d}", parent_registered=True)
    target = vouchers[1]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "halyk")
    page.fill("input[name=password]", "pw")
    page.click("form.card button[type=submit]")
    page.fill("input[name=q]", target.child_iin)
    page.get_by_role("button", name="Показать").click()
    rows = page.locator("table.staff-list tbody tr")
    assert rows.count() == 1
    rows.first.get_by_role("button", name="Закрыть").click()
    warning = page.text_content("[role=alert]")
    assert "аннулирует" in warning and "оператору" in warning  # what follows, said first
    assert ChildAccount.objects.get(voucher=target).status == "opened"  # nothing done yet
    page.locator("main form button.danger").click()
    assert "Счёт закрыт" in page.text_content(".msg")
    assert ChildAccount.objects.get(voucher=target).status == "closed"
    assert Voucher.objects.get(pk=target.pk).status == "annulled"

    page.goto(f"{live_server.url}/bank/?status=opened")
    shown = [r.locator("td").first.text_content().strip()
             for r in page.locator("table.staff-list tbody tr").all()]
    with page.expect_download() as download:
        page.locator("a[href*='export=xlsx']").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    exported = [str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(shown) == 2 and exported == shown
