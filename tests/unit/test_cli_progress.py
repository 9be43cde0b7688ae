"""The commands' progress bars: drawn only on a terminal, the log lines kept above them."""

from __future__ import annotations

import io
import logging

from rich.console import Console

from goszakaz.cli.progress import bars


def test_without_a_terminal_nothing_is_drawn_and_nothing_is_counted() -> None:
    out = io.StringIO()
    with bars(Console(file=out)) as shown:
        assert not shown.shown
        assert shown.task("settle 2024-04") is None and shown.steps() is None
        shown.report("settle 2024-04", 5, 10)
    assert out.getvalue() == ""


def test_on_a_terminal_each_piece_of_work_has_its_bar() -> None:
    out = io.StringIO()
    with bars(Console(file=out, force_terminal=True, width=100)) as shown:
        settle, steps = shown.task("settle 2024-04"), shown.steps()
        assert settle is not None and steps is not None
        settle(0, 10)
        settle(4, 10)
        settle(6, 10)
        steps("deliver messages", 0, 1)
        steps("deliver messages", 1, 1)
    drawn = out.getvalue()
    assert "settle 2024-04" in drawn and "10/10" in drawn
    assert "deliver messages" in drawn and "1/1" in drawn


def test_log_lines_go_above_the_bars_whole_and_back_after() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(out)  # the project's JSON handler writes where rich draws
    root.addHandler(handler)
    line = '{"message": "chunk settled", "city": "taraz", ' + '"x": 1, ' * 30 + '"seconds": 0.1}'
    try:
        with bars(Console(file=out, force_terminal=True, width=60)) as shown:
            assert handler.stream is not out
            report = shown.task("import-children taraz")
            assert report is not None
            report(3, 3)
            logging.getLogger("goszakaz.test").warning(line)
        assert handler.stream is out
    finally:
        root.removeHandler(handler)
    assert line + "\n" in out.getvalue()  # above the bar, and not wrapped at 60 columns
