"""The SVG charts drawn on the server: every value readable on hover, text escaped, no script."""

from __future__ import annotations

import re

from goszakaz.reports.charts import PALETTE, Line, lines


def test_a_line_chart_titles_every_point_and_escapes_its_text() -> None:
    # covers: I9 (every iteration of T1.4-T1.6 shown, as a chart as well as numbers)
    svg = lines(["1", "2", "3"], [Line("<Категория 1>", [0.5, 2.25, 8 / 3]),
                                  Line("Категория 5", [0.25, 1.0, 4 / 3])],
                title="Vf", fmt=lambda v: f"{v:.3f}")
    assert svg.startswith("<svg") and "<script" not in svg
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 6
    assert "&lt;Категория 1&gt;, 3: 2.667" in svg and "<Категория" not in svg
    ys = [float(y) for y in re.findall(r'cy="([0-9.]+)"', svg)]
    assert min(ys) == ys[2]  # the highest value is the highest point (smallest y)
    assert "2.667</text>" in svg  # the axis names the top


def test_lines_past_the_palette_are_dashed_and_an_empty_chart_draws() -> None:
    # covers: I9
    many = [Line(str(n), [n, n + 1]) for n in range(len(PALETTE) + 2)]
    svg = lines(["1", "2"], many, title="t")
    assert svg.count("stroke-dasharray") == 2 * 2  # two lines, each with its legend sample
    assert lines([], [], title="empty").endswith("</svg>")
