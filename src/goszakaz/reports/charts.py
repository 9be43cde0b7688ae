"""Server-drawn SVG charts (no script, no external reference): stacked bars by month, stacked
horizontal bars by label and lines over steps, each mark titled with its value for a hover."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#2f6db5", "#7fb069", "#e0a100", "#c8553d", "#8e6c8a", "#6b8f9e")
FONT = "font-family:sans-serif;font-size:11px"


@dataclass(frozen=True)
class Series:
    """One stacked segment kind: its label, colour and one value per category."""

    label: str
    values: Sequence[int]
    color: str = ""


@dataclass(frozen=True)
class Line:
    """One line of a line chart: its label, colour and one value (not only whole) per step."""

    label: str
    values: Sequence[float]
    color: str = ""


DASHES = ("", "6 3", "2 3", "8 3 2 3")  # more lines than colours: the dash tells them apart


def _colors(series: Sequence[Series | Line]) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _style(font: str) -> str:
    """The text's style attribute; none on pages whose CSP forbids inline styles (their
    stylesheet sets the charts' font instead)."""
    return f' style="{font}"' if font else ""


def _cut(label: str, n: int) -> str:
    return label if len(label) <= n else label[:n - 1].rstrip() + "…"


def _legend(series: Sequence[Series | Line], colors: list[str], y: int, width: int,
            font: str = FONT) -> tuple[list[str], int]:
    """The legend from `y` down, wrapped to the width; and the y below its last line. A line's
    sample is a stroke with its dash, a series' a square."""
    out, x = [], 0
    for n, (s, color) in enumerate(zip(series, colors, strict=True)):
        step = 24 + 7 * len(s.label)
        if x and x + step > width:
            x, y = 0, y + 16
        dash = DASHES[(n // len(PALETTE)) % len(DASHES)]
        out.append((f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>'
                    if isinstance(s, Series) else
                    f'<line x1="{x}" y1="{y - 4}" x2="{x + 12}" y2="{y - 4}" stroke="{color}" '
                    f'stroke-width="2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
                   + f'<text x="{x + 14}" y="{y}"{_style(font)}>{escape(s.label)}</text>')
        x += step
    return out, y + 8


def _svg(width: int, height: int, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} '
            f'{height}" width="100%" aria-label="{escape(title)}">')


def stacked_columns(categories: Sequence[str], series: Sequence[Series], *, title: str,
                    fmt: Callable[[int], str] = str, width: int = 640, height: int = 220,
                    font: str = FONT) -> str:
    """Vertical stacked bars, one per category (a month), the series stacked bottom up; a
    category's name may take two lines ("Apr\n2024")."""
    colors = _colors(series)
    totals = [sum(max(0, s.values[i]) for s in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    plot_h, left, base = height - 60, 4, height - 40
    slot = (width - left) / max(len(categories), 1)
    bar = max(4.0, slot * 0.7)
    parts = ["",  # the <svg> once the legend's height is known
             f"<title>{escape(title)}</title>",
             f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#999"/>']
    for i, category in enumerate(categories):
        x, y = left + i * slot + (slot - bar) / 2, float(base)
        for s, color in zip(series, colors, strict=True):
            v = max(0, s.values[i])
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                         f'fill="{color}"><title>{escape(category.replace(chr(10), " "))}: {escape(s.label)} '
                         f"{escape(fmt(v))}</title></rect>")
        if totals[i]:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                         f'{_style(font)}>{escape(fmt(totals[i]))}</text>'
                         if len(categories) <= 8 else "")
        lines = "".join(f'<tspan x="{x + bar / 2:.1f}" dy="{0 if n == 0 else 12}">'
                        f"{escape(line)}</tspan>" for n, line in enumerate(category.split("\n")))
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14}" text-anchor="middle" '
                     f'{_style(font)}>{lines}</text>')
    legend, bottom = _legend(series, colors, height + 4, width, font)
    parts[0] = _svg(width, bottom, title)
    parts += [*legend, "</svg>"]
    return "".join(parts)


def stacked_rows(labels: Sequence[str], series: Sequence[Series], *, title: str,
                 width: int = 640, label_width: int = 220, font: str = FONT,
                 max_label: int = 40) -> str:
    """Horizontal stacked bars, one row per label (a clause), each value written beside it;
    a label longer than `max_label` characters is cut (its full text in the hover title)."""
    colors = _colors(series)
    row_h, gap = 18, 6
    totals = [sum(max(0, s.values[i]) for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_w = width - label_width - 40
    height = len(labels) * (row_h + gap) + 10
    parts = ["", f"<title>{escape(title)}</title>"]
    for i, label in enumerate(labels):
        y = 4 + i * (row_h + gap)
        parts.append(f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end" '
                     f'{_style(font)}>{escape(_cut(label, max_label))}</text>')
        x = float(label_width)
        for s, color in zip(series, colors, strict=True):
            v = max(0, s.values[i])
            if not v:
                continue
            w = plot_w * v / top
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h}" '
                         f'fill="{color}"><title>{escape(label)}: {escape(s.label)} {v}'
                         "</title></rect>")
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}"{_style(font)}>{totals[i]}</text>')
    legend, bottom = _legend(series, colors, height + 14, width, font)
    parts[0] = _svg(width, bottom, title)
    parts += [*legend, "</svg>"]
    return "".join(parts)


def lines(steps: Sequence[str], series: Sequence[Line], *, title: str,
          fmt: Callable[[float], str] = str, width: int = 640, height: int = 220,
          font: str = FONT) -> str:
    """Lines over steps (an iteration, a month), each point titled with its value; the highest
    value is written on the axis. The n-th line past the palette is drawn dashed."""
    colors = _colors(series)
    top = max((v for s in series for v in s.values), default=0) or 1
    left, right, base, plot_h = 56, 16, height - 40, height - 60
    step_w = (width - left - right) / max(len(steps) - 1, 1)
    parts = ["",  # the <svg> once the legend's height is known
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#999"/>',
             f'<line x1="{left}" y1="{base - plot_h}" x2="{left}" y2="{base}" stroke="#999"/>',
             f'<text x="{left - 4}" y="{base - plot_h + 4}" text-anchor="end"'
             f"{_style(font)}>{escape(fmt(top))}</text>",
             f'<text x="{left - 4}" y="{base}" text-anchor="end"{_style(font)}>0</text>']
    for i, step in enumerate(steps):
        parts.append(f'<text x="{left + i * step_w:.1f}" y="{base + 14}" text-anchor="middle"'
                     f"{_style(font)}>{escape(step)}</text>")
    for n, (s, color) in enumerate(zip(series, colors, strict=True)):
        points = [(left + i * step_w, base - plot_h * max(0.0, v) / top)
                  for i, v in enumerate(s.values)]
        dash = DASHES[(n // len(PALETTE)) % len(DASHES)]
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"'
                     + (f' stroke-dasharray="{dash}"' if dash else "")
                     + ' points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>'
                  f"{escape(s.label)}, {escape(steps[i])}: {escape(fmt(v))}</title></circle>"
                  for i, ((x, y), v) in enumerate(zip(points, s.values, strict=True))]
    legend, bottom = _legend(series, colors, height + 4, width, font)
    parts[0] = _svg(width, bottom, title)
    parts += [*legend, "</svg>"]
    return "".join(parts)
