"""Charts drawn on the server as SVG, so the same picture appears on a page and later in a PDF handout.

Each chart is a pure function returning SVG markup; pages put a text table beside it for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape

from markupsafe import Markup

from portal.numbers import format_number
from portal.questionnaires.diary import Day

WIDTH, HEIGHT = 700, 260
LEFT, RIGHT, TOP, MIDDLE, BOTTOM = 44, 10, 18, 130, 232
COLOURS = {
    "migraine": "#a3362b",
    "headache": "#d69a2d",
    "stool_bad": "#7a4d05",
    "stool_ok": "#2d6a64",
    "bloating": "#9bb8b3",
    "grid": "#dcd9d0",
    "text": "#5a676b",
}


def _out_of_ten(value: int | None) -> str:
    return "intensity not answered" if value is None else f"{value}/10"


def _text(x: float, y: float, label: str, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{COLOURS["text"]}" '
        f'text-anchor="{anchor}">{escape(label)}</text>'
    )


def _labelled(day: date, index: int, count: int) -> bool:
    """The first day and Mondays on a time line of up to six weeks; the first of each month on a longer one
    (whose first day is left unlabelled, so that its label never runs into the next)."""
    if count <= 42:
        return index == 0 or day.weekday() == 0
    return day.day == 1


def migraine_gut_timeline(days: list[Day], first_day: date, last_day: date) -> Markup:
    """One time line: headache intensity above (migraines in red), stool types and bloating below.

    Days without an entry are left blank, never drawn as good days.
    """
    count = (last_day - first_day).days + 1
    step = (WIDTH - LEFT - RIGHT) / count
    by_day = {d.day: d for d in days if first_day <= d.day <= last_day}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
        f'aria-labelledby="timeline-title timeline-desc">',
        '<title id="timeline-title">Migraine and gut time line</title>',
        f'<desc id="timeline-desc">Headache intensity (0-10) above and stool type (Bristol 1-7) and bloating '
        f"below, for {count} days from {first_day:%-d %B} to {last_day:%-d %B %Y}; "
        f"{len(by_day)} days filled in.</desc>",
        f'<line x1="{LEFT}" y1="{MIDDLE}" x2="{WIDTH - RIGHT}" y2="{MIDDLE}" stroke="{COLOURS["grid"]}"/>',
        _text(4, TOP + 4, "Head"),
        _text(4, TOP + 18, "0-10", size=10),
        _text(4, MIDDLE + 18, "Gut"),
        _text(4, MIDDLE + 32, "1-7", size=10),
    ]
    head_height = MIDDLE - TOP - 6
    gut_height = BOTTOM - MIDDLE - 10
    for index in range(count):
        day = first_day + timedelta(days=index)
        x = LEFT + index * step
        if _labelled(day, index, count):
            parts.append(
                f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{BOTTOM}" stroke="{COLOURS["grid"]}" '
                f'stroke-dasharray="2 3"/>'
            )
            parts.append(_text(x + 2, HEIGHT - 12, f"{day:%-d %b}"))
        entry = by_day.get(day)
        if entry is None:
            continue
        if entry.headache != "none":
            height = max(entry.intensity or 0, 1) / 10 * head_height  # not answered: drawn as the least
            parts.append(
                f'<rect class="head {entry.headache}" x="{x + 1:.1f}" y="{MIDDLE - height:.1f}" '
                f'width="{step - 2:.1f}" height="{height:.1f}" fill="{COLOURS[entry.headache]}">'
                f"<title>{day:%-d %b}: {entry.headache}, {_out_of_ten(entry.intensity)}</title></rect>"
            )
        if entry.bloating:
            height = entry.bloating / 10 * gut_height
            parts.append(
                f'<rect class="bloating" x="{x + 1:.1f}" y="{MIDDLE + 4:.1f}" width="{step - 2:.1f}" '
                f'height="{height:.1f}" fill="{COLOURS["bloating"]}" opacity="0.7">'
                f"<title>{day:%-d %b}: bloating {entry.bloating}/10</title></rect>"
            )
        for stool in entry.stool_types:
            colour = COLOURS["stool_bad"] if stool <= 2 or stool >= 6 else COLOURS["stool_ok"]
            y = MIDDLE + 4 + stool / 7 * gut_height
            parts.append(
                f'<circle class="stool" cx="{x + step / 2:.1f}" cy="{y:.1f}" r="{min(step / 3, 5):.1f}" '
                f'fill="{colour}"><title>{day:%-d %b}: Bristol type {stool}</title></circle>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


BAND_SHADES = ("#e6f2e8", "#f3f1e0", "#fbeede", "#f8e1dc", "#f3d3cd")


def score_chart(
    points: Sequence[tuple[date, float]], *, low: float, high: float, bands: Sequence[tuple[float, str]], title: str
) -> Markup:
    """A score over time with its published bands shaded behind it (bands: (lower edge, name), rising).

    Points are plotted by date; one point alone still shows, and an empty list draws the bands only.
    """
    plot_left, plot_right, plot_top, plot_bottom = LEFT + 70, WIDTH - RIGHT - 16, TOP, BOTTOM
    span = (high - low) or 1

    def y(value: float) -> float:
        return plot_bottom - (min(max(value, low), high) - low) / span * (plot_bottom - plot_top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
    ]
    edges = [edge for edge, _ in bands] + [high]
    for index, (edge, name) in enumerate(bands):
        top, bottom = y(edges[index + 1]), y(edge)
        parts.append(
            f'<rect class="band" x="{plot_left}" y="{top:.1f}" width="{plot_right - plot_left}" '
            f'height="{bottom - top:.1f}" fill="{BAND_SHADES[index % len(BAND_SHADES)]}"/>'
        )
        parts.append(_text(plot_left - 6, (top + bottom) / 2 + 4, name, anchor="end", size=10))
    if points:
        first, last = points[0][0], points[-1][0]
        days = max((last - first).days, 1)

        def x(day: date) -> float:
            if len(points) == 1:
                return (plot_left + plot_right) / 2
            return plot_left + 12 + (day - first).days / days * (plot_right - plot_left - 24)

        coordinates = [(x(day), y(value)) for day, value in points]
        if len(coordinates) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coordinates)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS["stool_ok"]}" stroke-width="2.5"/>')
        for (day, value), (cx, cy) in zip(points, coordinates, strict=True):
            label = format_number(value)
            parts.append(
                f'<circle class="point" cx="{cx:.1f}" cy="{cy:.1f}" r="4.5" fill="{COLOURS["stool_ok"]}">'
                f"<title>{day:%-d %b %Y}: {label}</title></circle>"
            )
            parts.append(_text(cx, cy - 9, label, anchor="middle", size=11))
            parts.append(_text(cx, HEIGHT - 12, f"{day:%-d %b}", anchor="middle", size=10))
    parts.append("</svg>")
    return Markup("".join(parts))
