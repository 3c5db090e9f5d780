"""Charts drawn on the server as SVG, so the same picture appears on a page and later in a PDF handout.

Each chart is a pure function returning SVG markup; pages put a text table beside it for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Layout:
    """The time line's geometry in SVG units. The page draws it twice, wide for a laptop and narrow for a phone
    (CSS shows one), so that on a 375 px phone its labels are read at about 12 px, not 5."""

    name: str
    width: int
    left: int  # room for the "Head" and "Gut" labels
    head: int  # height of the headache band
    gut: int  # height of the gut band
    font: int

    top = 14
    right = 8

    @property
    def middle(self) -> int:
        return self.top + self.head

    @property
    def bottom(self) -> int:
        return self.middle + self.gut

    @property
    def dates_y(self) -> int:
        return self.bottom + self.font + 6


WIDE = Layout("wide", width=700, left=48, head=150, gut=110, font=13)
NARROW = Layout("narrow", width=360, left=40, head=150, gut=110, font=13)
WEEKLY_FROM_DAYS = 120  # longer time lines are drawn a week to a bar (a day would be under a pixel on a phone)
LEGEND = (
    ("migraine", "rect", "Migraine"),
    ("headache", "rect", "Headache"),
    ("stool_bad", "circle", "Hard or loose stool"),
    ("stool_ok", "circle", "Other stool"),
    ("bloating", "rect", "Bloating"),
)


def _text_width(label: str, size: int) -> float:
    """Roughly how wide a label is drawn (an average glyph is a little over half the font size)."""
    return len(label) * size * 0.56


def _date_labels(first_day: date, count: int) -> list[tuple[int, str]]:
    """(day index, label) of the days to label: the first day and Mondays on a time line of up to six weeks; the
    first of each month on a longer one (whose first day is left unlabelled, so that it never runs into the next)."""
    labels = []
    for index in range(count):
        day = first_day + timedelta(days=index)
        if (index == 0 or day.weekday() == 0) if count <= 42 else day.day == 1:
            labels.append((index, f"{day:%-d %b}"))
    return labels


def _legend(layout: Layout, y: float) -> tuple[list[str], float]:
    """The legend drawn as swatches with words, wrapped to the width: its parts and the height it takes."""
    parts, x, size = [], float(layout.left), layout.font
    row_height = size + 10
    for key, shape, label in LEGEND:
        needed = 18 + _text_width(label, size) + 14
        if x + needed > layout.width - layout.right and x > layout.left:
            x, y = float(layout.left), y + row_height
        if shape == "rect":
            opacity = ' opacity="0.7"' if key == "bloating" else ""
            parts.append(
                f'<rect class="legend-swatch" x="{x:.1f}" y="{y - size + 2:.1f}" width="12" height="12" '
                f'fill="{COLOURS[key]}"{opacity}/>'
            )
        else:
            parts.append(
                f'<circle class="legend-swatch" cx="{x + 6:.1f}" cy="{y - size / 2 + 2:.1f}" r="5" '
                f'fill="{COLOURS[key]}"/>'
            )
        parts.append(_text(x + 18, y, label, size=size))
        x += needed
    return parts, y


@dataclass(frozen=True)
class _Slot:
    """What one bar of the time line shows: a day, or a week of days on a long time line."""

    first: date
    days: list[Day]
    weekly: bool

    @property
    def name(self) -> str:
        return f"Week of {self.first:%-d %b}" if self.weekly else f"{self.first:%-d %b}"


def _slots(by_day: dict[date, Day], first_day: date, count: int, weekly: bool) -> list[_Slot]:
    size = 7 if weekly else 1
    slots = []
    for start in range(0, count, size):
        first = first_day + timedelta(days=start)
        days = [by_day[d] for d in (first + timedelta(days=n) for n in range(min(size, count - start))) if d in by_day]
        slots.append(_Slot(first, days, weekly))
    return slots


def _head_bar(slot: _Slot, x: float, width: float, layout: Layout) -> str:
    """The slot's headache bar: as tall as its worst headache, red when any was a migraine; none without one."""
    aching = [d for d in slot.days if d.headache != "none"]
    if not aching:
        return ""
    worst = max(d.intensity or 0 for d in aching)
    kind = "migraine" if any(d.headache == "migraine" for d in aching) else "headache"
    height = max(worst, 1) / 10 * (layout.head - 6)
    if slot.weekly:
        migraines = sum(d.headache == "migraine" for d in aching)
        title = (
            f"{slot.name}: {_count(migraines, 'migraine day')}, {_count(len(aching) - migraines, 'other headache day')}"
            f", worst {worst}/10 ({_count(len(slot.days), 'day')} filled in)"
        )
    else:
        title = f"{slot.name}: {slot.days[0].headache}, {_out_of_ten(slot.days[0].intensity)}"
    return (
        f'<rect class="head {kind}" x="{x:.1f}" y="{layout.middle - height:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" fill="{COLOURS[kind]}"><title>{title}</title></rect>'
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _gut_marks(slot: _Slot, x: float, width: float, layout: Layout) -> list[str]:
    """Bloating as a bar hanging below the line (a week's average on a long time line), stools as dots by type."""
    parts = []
    bloated = [d.bloating for d in slot.days if d.bloating is not None]  # not answered: not 0
    bloating = sum(bloated) / len(bloated) if bloated else 0
    gut_height = layout.gut - 10
    if bloating:
        label = f"bloating {format_number(bloating, 1)}/10 on average" if slot.weekly else f"bloating {bloating}/10"
        parts.append(
            f'<rect class="bloating" x="{x:.1f}" y="{layout.middle + 4:.1f}" width="{width:.1f}" '
            f'height="{bloating / 10 * gut_height:.1f}" fill="{COLOURS["bloating"]}" opacity="0.7">'
            f"<title>{slot.name}: {label}</title></rect>"
        )
    for stool in sorted({s for d in slot.days for s in d.stool_types}):
        colour = COLOURS["stool_bad"] if stool <= 2 or stool >= 6 else COLOURS["stool_ok"]
        parts.append(
            f'<circle class="stool" cx="{x + width / 2:.1f}" cy="{layout.middle + 4 + stool / 7 * gut_height:.1f}" '
            f'r="{min(max(width / 2, 1.5), 5):.1f}" fill="{colour}"><title>{slot.name}: Bristol type {stool}</title>'
            "</circle>"
        )
    return parts


def migraine_gut_timeline(days: list[Day], first_day: date, last_day: date, layout: Layout = WIDE) -> Markup:
    """One time line: headache intensity above (migraines in red), stool types and bloating below, with its legend
    drawn. Over WEEKLY_FROM_DAYS days each bar is a week (its worst headache, its average bloating, every stool
    type of the week), so that a year is still drawn on a phone.

    Days without an entry are left blank, never drawn as good days.
    """
    count = (last_day - first_day).days + 1
    weekly = count > WEEKLY_FROM_DAYS
    by_day = {d.day: d for d in days if first_day <= d.day <= last_day}
    slots = _slots(by_day, first_day, count, weekly)
    day_step = (layout.width - layout.left - layout.right) / count
    legend, legend_bottom = _legend(layout, layout.dates_y + layout.font + 14)
    height = int(legend_bottom + 10)
    ids = f"timeline-{layout.name}"
    size, small = layout.font, layout.font - 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width} {height}" '
        f'class="chart timeline timeline--{layout.name}" role="img" aria-labelledby="{ids}-title {ids}-desc">',
        f'<title id="{ids}-title">Migraine and gut time line</title>',
        f'<desc id="{ids}-desc">Headache intensity (0-10) above and stool type (Bristol 1-7) and bloating '
        f"below, for {count} days from {first_day:%-d %B} to {last_day:%-d %B %Y}"
        f"{', a week to each bar' if weekly else ''}; {len(by_day)} days filled in.</desc>",
        f'<line x1="{layout.left}" y1="{layout.middle}" x2="{layout.width - layout.right}" y2="{layout.middle}" '
        f'stroke="{COLOURS["grid"]}"/>',
        _text(4, layout.top + size, "Head", size=size),
        _text(4, layout.top + size + small + 4, "0-10", size=small),
        _text(4, layout.middle + size + 6, "Gut", size=size),
        _text(4, layout.middle + size + small + 10, "1-7", size=small),
    ]
    last_end = -1.0
    for index, label in _date_labels(first_day, count):
        x = layout.left + index * day_step
        if x < last_end or x + 2 + _text_width(label, size) > layout.width:
            continue  # it would run into the label before it (a year on a phone) or off the picture's edge
        parts.append(
            f'<line x1="{x:.1f}" y1="{layout.top}" x2="{x:.1f}" y2="{layout.bottom}" stroke="{COLOURS["grid"]}" '
            f'stroke-dasharray="2 3"/>'
        )
        parts.append(_text(x + 2, layout.dates_y, label, size=size))
        last_end = x + 2 + _text_width(label, size) + 8
    slot_step = day_step * (7 if weekly else 1)
    bar = max(slot_step * 0.72, 1.5)
    for number, slot in enumerate(slots):
        if slot.days:
            x = layout.left + number * slot_step + (slot_step - bar) / 2
            parts.append(_head_bar(slot, x, bar, layout))
            parts.extend(_gut_marks(slot, x, bar, layout))
    parts.extend(legend)
    parts.append("</svg>")
    return Markup("".join(parts))


def migraine_gut_timelines(days: list[Day], first_day: date, last_day: date) -> Markup:
    """The time line for a page: wide and narrow, one shown by CSS (`.timeline--wide`, `.timeline--narrow`)."""
    return Markup("").join(migraine_gut_timeline(days, first_day, last_day, layout) for layout in (WIDE, NARROW))


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
