"""In a real browser: a teacher marks a group of 30 with the keyboard only, "all present" then a
key per exception, saved as it goes (HTMX); the keystrokes are counted (A7.13, I22)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from goszakaz.attendance.models import Sheet
from tests.e2e.test_allocation_flow import sign_in
from tests.factories import make_group, make_preschool, make_teacher

NAMES = ["Айару", "Айша", "Алихан", "Амина", "Арсен", "Аружан", "Асылым", "Бекзат", "Даниял",
         "Дана", "Ерасыл", "Жансая", "Зере", "Ислам", "Кәусар", "Мадина", "Медина", "Мирас",
         "Нұрислам", "Раяна", "Сара", "Сұлтан", "Томирис", "Үмит", "Хадиша", "Әлихан", "Әлия",
         "Әмір", "Іңкәр", "Нұрсұлтан"]
# the exceptions, in the list's order: (child, key pressed, the mark it means); the keys of a
# Russian layout (б, о) and the physical key of Н on a Latin one (y)
EXCEPTIONS = [("Амина", "б", "S"), ("Дана", "y", "A"), ("Медина", "о", "V")]
# a key of the Russian layout as Chromium reports it: its letter and the physical key it is on
RUSSIAN = {"б": ("Comma", 188), "о": ("KeyJ", 74), "н": ("KeyY", 89), "п": ("KeyG", 71)}


def test_a_group_of_30_marked_with_the_keyboard_only(page, live_server, taraz,
                                                     clock_at) -> None:
    # covers: A7.13, I22
    clock_at(dt.date(2024, 4, 30))
    with transaction.atomic():  # the browser tests run outside a test transaction
        school = make_preschool(taraz, 1, capacity=40)
        group, children = make_group(school, "Күншуақ", NAMES)
        make_teacher("teacher", group)
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/preschool/day/?day=2024-04-29")
    assert page.locator("tr[data-child]").count() == 30
    assert Sheet.objects.count() == 0  # nothing is present until someone says so (I22)
    shown = [t.strip() for t in page.locator("tr[data-child] .name").all_text_contents()]
    assert shown == sorted(NAMES, key=str.casefold)
    marks, moves = 0, 0
    cdp = page.context.new_cdp_session(page)

    def press(key: str) -> None:
        nonlocal marks, moves
        if key.startswith("Arrow"):
            moves += 1
        else:
            marks += 1
        if key in RUSSIAN:  # Playwright's keyboard is a US one: send what a Russian one sends
            code, vk = RUSSIAN[key]
            for kind in ("keyDown", "keyUp"):
                cdp.send("Input.dispatchKeyEvent", {
                    "type": kind, "key": key, "code": code, "windowsVirtualKeyCode": vk,
                    **({"text": key} if kind == "keyDown" else {})})
        else:
            page.keyboard.press(key)

    press("Enter")  # the page opens with "All present" focused
    page.locator("tr[data-child] .ok").nth(29).wait_for()  # the 30 rows answered, saved
    # the focus comes to the first child once the new rows settle (a key before it is moot)
    page.wait_for_function("document.activeElement.matches('tr[data-child]')")
    position = 0  # "all present" leaves the focus on the first child
    for name, key, _ in EXCEPTIONS:
        target = shown.index(name)
        for _ in range(target - position):
            press("ArrowDown")
        assert page.evaluate("document.activeElement.querySelector('.name').textContent"
                             ).strip() == name
        with page.expect_response(lambda r: r.request.method == "POST"):
            press(key)  # marks the child and moves to the next one; the row is saved
        position = target + 1
    assert marks <= 1 + len(EXCEPTIONS) + 1, marks
    assert moves <= shown.index(EXCEPTIONS[-1][0])  # one pass down the list, never back
    print(f"keystrokes: {marks} to mark 30 children with {len(EXCEPTIONS)} exceptions, "
          f"{moves} arrow moves")
    page.reload()  # the marks as saved, in words
    saved = {n.strip(): v for n, v in zip(
        page.locator("tr[data-child] .name").all_text_contents(),
        [r.locator("input:checked").get_attribute("value")
         for r in page.locator("tr[data-child]").all()], strict=True)}
    assert saved == {n: next((m for c, _, m in EXCEPTIONS if c == n), "P") for n in NAMES}
    with transaction.atomic():
        assert Sheet.objects.filter(days__startswith="." * 28 + "P").count() == 27
    row = page.locator("tr[data-child]", has_text="Дана")
    assert row.locator("input:checked").get_attribute("value") == "A"
    checked = row.locator("label:has(input:checked)")
    assert checked.text_content() == "Без причины"
    assert checked.get_attribute("title") == "без уважительной причины"


def test_the_day_without_javascript_is_a_plain_form(browser, live_server, taraz,
                                                    clock_at) -> None:
    # covers: A7.13, I22
    clock_at(dt.date(2024, 4, 30))
    with transaction.atomic():
        school = make_preschool(taraz, 1, capacity=40)
        group, _ = make_group(school, "Күншуақ", NAMES[:5])
        make_teacher("teacher", group)
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "teacher")
        page.goto(f"{live_server.url}/preschool/day/?day=2024-04-29")
        page.locator("tr[data-child]", has_text="Амина").get_by_text("Болеет").click()
        page.get_by_role("button", name="Все присутствуют").click()  # a plain POST
        assert "День отмечен" in page.text_content(".msg")
        rows = page.locator("tr[data-child]")
        saved = [r.locator("input:checked").get_attribute("value") for r in rows.all()]
        names = [n.strip() for n in page.locator("tr[data-child] .name").all_text_contents()]
        assert dict(zip(names, saved, strict=True)) == {
            n: "S" if n == "Амина" else "P" for n in NAMES[:5]}
    finally:
        context.close()
