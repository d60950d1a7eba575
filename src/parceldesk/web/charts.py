"""Small SVG charts rendered on the server (no script; colours as attributes, so the strict
Content-Security-Policy holds). Every label is escaped."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#2e9d5b", "#c77c02", "#b3261e", "#6b4fbb", "#4a5561")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 270, 52, 28, 26


def stacked_bars(
    title: str, labels: list[str], series: dict[str, list[float]], unit: str
) -> Markup:
    """One bar per label, stacked by series (e.g. hours per cooling mode per month)."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    step = (WIDTH - LEFT) / max(len(labels), 1)
    parts = [_axis(title, top, unit)]
    for i, label in enumerate(labels):
        base = 0.0
        for colour, (name, values) in zip(PALETTE, series.items(), strict=False):
            height = values[i] / top * (HEIGHT - BOTTOM - TOP)
            y = HEIGHT - BOTTOM - base - height
            parts.append(
                f'<rect x="{LEFT + i * step + 3:.1f}" y="{y:.1f}" width="{step - 6:.1f}" '
                f'height="{height:.1f}" fill="{colour}"><title>{escape(label)} {escape(name)}: '
                f"{values[i]:g} {escape(unit)}</title></rect>"
            )
            base += height
        parts.append(_tick(LEFT + (i + 0.5) * step, label))
    return _svg(title, parts, list(series))


def lines(
    title: str, labels: list[str], series: dict[str, list[float]], unit: str,
    scale: tuple[float, float] | None = None,
) -> Markup:  # fmt: skip
    """One line per series over the labels (e.g. PUE by month per site); the scale fits the
    values unless given (e.g. 0-100 for percentages)."""
    values = [v for vs in series.values() for v in vs]
    low, high = min(values, default=0), max(values, default=1)
    margin = (high - low) * 0.1 or max(abs(high) * 0.1, 1.0)
    low, high = scale or (low - margin, high + margin)
    step = (WIDTH - LEFT) / max(len(labels), 1)
    parts = [_axis(title, high, unit, low)]
    for colour, (name, points) in zip(PALETTE, series.items(), strict=False):
        xy = " ".join(
            f"{LEFT + (i + 0.5) * step:.1f},{_y(v, low, high):.1f}" for i, v in enumerate(points)
        )
        parts.append(f'<polyline points="{xy}" fill="none" stroke="{colour}" stroke-width="2.5">'
                     f"<title>{escape(name)}</title></polyline>")  # fmt: skip
        parts.extend(
            f'<circle cx="{LEFT + (i + 0.5) * step:.1f}" cy="{_y(v, low, high):.1f}" r="3" '
            f'fill="{colour}"><title>{escape(name)} {escape(labels[i])}: {v:g}</title></circle>'
            for i, v in enumerate(points)
        )
    parts.extend(_tick(LEFT + (i + 0.5) * step, label) for i, label in enumerate(labels))
    return _svg(title, parts, list(series))


def _y(value: float, low: float, high: float) -> float:
    return HEIGHT - BOTTOM - (value - low) / (high - low) * (HEIGHT - BOTTOM - TOP)


def _axis(title: str, high: float, unit: str, low: float = 0.0) -> str:
    marks = []
    step = (high - low) / 4
    decimals = max(0, -math.floor(math.log10(step))) if step > 0 else 0
    for k in range(5):
        value = low + step * k
        y = _y(value, low, high)
        marks.append(f'<line x1="{LEFT}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe1"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                     f'fill="#4a5561">{value:.{decimals}f}</text>')  # fmt: skip
    marks.append(f'<text x="4" y="12" font-size="11" fill="#4a5561">{escape(unit)}</text>')
    return "".join(marks)


def _tick(x: float, label: str) -> str:
    return (f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11" '
            f'fill="#1f2933">{escape(label)}</text>')  # fmt: skip


def _svg(title: str, parts: list[str], legend: list[str]) -> Markup:
    gap = max((len(name) for name in legend), default=0) * 7 + 32
    keys = "".join(
        f'<rect x="{LEFT + i * gap}" y="{HEIGHT + 6}" width="12" height="12" fill="{colour}"/>'
        f'<text x="{LEFT + i * gap + 16}" y="{HEIGHT + 16}" font-size="12" fill="#1f2933">'
        f"{escape(name)}</text>"
        for i, (colour, name) in enumerate(zip(PALETTE, legend, strict=False))
    )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 26}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
        f"{''.join(parts)}{keys}</svg>"
    )
