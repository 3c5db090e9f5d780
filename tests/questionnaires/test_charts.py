"""The migraine-gut time line is valid SVG that shows each recorded day and leaves gaps blank."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from portal.questionnaires.charts import BOTTOM, NARROW, TOP, WIDE, migraine_gut_timeline, migraine_gut_timelines
from portal.questionnaires.diary import Day

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2030, 1, 1)


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_each_day_is_drawn_where_it_belongs_and_gaps_stay_blank():
    days = [
        Day(FIRST, "migraine", 8, stool_types=(1, 4), bloating=7),
        Day(FIRST + timedelta(days=1), "headache", 3),
        Day(FIRST + timedelta(days=3)),
    ]  # nothing happened that day; day 3 has no entry at all
    svg = parse(migraine_gut_timeline(days, FIRST, FIRST + timedelta(days=27)))
    heads = svg.findall(f"{SVG}rect[@class='head migraine']") + svg.findall(f"{SVG}rect[@class='head headache']")
    assert [r.find(f"{SVG}title").text for r in heads] == ["1 Jan: migraine, 8/10", "2 Jan: headache, 3/10"]
    migraine, headache = heads
    assert float(migraine.get("height")) > float(headache.get("height"))  # 8/10 is taller than 3/10
    assert float(migraine.get("x")) < float(headache.get("x"))
    stools = [c.find(f"{SVG}title").text for c in svg.findall(f"{SVG}circle[@class='stool']")]
    assert stools == ["1 Jan: Bristol type 1", "1 Jan: Bristol type 4"]
    assert len(svg.findall(f"{SVG}rect[@class='bloating']")) == 1
    assert "28 days from 1 January to 28 January 2030; 3 days filled in" in svg.find(f"{SVG}desc").text
    assert svg.get("role") == "img"


def test_an_empty_diary_draws_only_the_axes_labelled_by_week():
    svg = parse(migraine_gut_timeline([], FIRST, FIRST + timedelta(days=27)))
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert "Head" in labels and "Gut" in labels
    assert "1 Jan" in labels and "7 Jan" in labels  # the first day, then each Monday
    marks = [e for e in svg.iter() if e.tag in (f"{SVG}rect", f"{SVG}circle") and e.get("class") != "legend-swatch"]
    assert marks == []


def test_a_score_chart_shades_each_band_and_plots_every_point():
    from portal.questionnaires.charts import score_chart
    from portal.questionnaires.scoring import PHQ9_BANDS

    points = [(date(2030, 1, 1), 18), (date(2030, 2, 1), 12), (date(2030, 3, 1), 6)]
    svg = parse(score_chart(points, low=0, high=27, bands=PHQ9_BANDS, title='PHQ-9 for "Zoë"'))
    bands = svg.findall(f"{SVG}rect[@class='band']")
    assert len(bands) == 5
    heights = [float(b.get("height")) for b in bands]
    assert sum(heights) == pytest.approx(BOTTOM - TOP, abs=0.5)  # the bands fill the plot (rounded to 0.1)
    assert heights[0] == pytest.approx(5 / 27 * (BOTTOM - TOP), abs=0.1)  # 0-4 is five points of 27
    circles = svg.findall(f"{SVG}circle[@class='point']")
    assert [c.find(f"{SVG}title").text for c in circles] == ["1 Jan 2030: 18", "1 Feb 2030: 12", "1 Mar 2030: 6"]
    ys = [float(c.get("cy")) for c in circles]
    assert ys[0] < ys[1] < ys[2]  # higher scores sit higher
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert "moderately severe" in labels and "1 Feb" in labels
    assert svg.get("aria-label") == 'PHQ-9 for "Zoë"'


def test_a_single_point_or_none_still_draws():
    from portal.questionnaires.charts import score_chart
    from portal.questionnaires.scoring import HIT6_BANDS

    one = parse(score_chart([(date(2030, 1, 1), 62)], low=36, high=78, bands=HIT6_BANDS, title="HIT-6"))
    assert len(one.findall(f"{SVG}circle")) == 1 and one.findall(f"{SVG}polyline") == []
    empty = parse(score_chart([], low=36, high=78, bands=HIT6_BANDS, title="HIT-6"))
    assert len(empty.findall(f"{SVG}rect[@class='band']")) == 4 and empty.findall(f"{SVG}circle") == []


def test_a_long_time_line_is_labelled_by_month_and_a_short_one_by_monday():
    long = str(migraine_gut_timeline([], date(2026, 5, 28), date(2026, 11, 25)))
    assert re.findall(r">(\d+ \w{3})</text>", long) == ["1 Jun", "1 Jul", "1 Aug", "1 Sep", "1 Oct", "1 Nov"]
    short = str(migraine_gut_timeline([], date(2026, 10, 29), date(2026, 11, 25)))  # a Thursday
    assert re.findall(r">(\d+ \w{3})</text>", short) == ["29 Oct", "2 Nov", "9 Nov", "16 Nov", "23 Nov"]


def year_of_headaches(last: date) -> list[Day]:
    """A year with a migraine every tenth day and a headache every seventh (the rest filled in as calm)."""
    first = last - timedelta(days=364)
    days = []
    for n in range(365):
        kind = "migraine" if n % 10 == 0 else "headache" if n % 7 == 0 else "none"
        days.append(Day(first + timedelta(days=n), kind, 7 if kind == "migraine" else 3 if kind != "none" else 0))
    return days


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=lambda layout: layout.name)
def test_a_year_draws_its_headaches_a_week_to_a_bar(layout):
    last = date(2030, 12, 31)
    svg = parse(migraine_gut_timeline(year_of_headaches(last), last - timedelta(days=364), last, layout))
    heads = svg.findall(f"{SVG}rect[@class='head migraine']") + svg.findall(f"{SVG}rect[@class='head headache']")
    assert len(heads) == 53  # every week of the year had a headache (52 weeks and one day)
    widths = [float(r.get("width")) for r in heads]
    phone_scale = 330 / layout.width  # the chart's width on a 375 px phone, per SVG unit
    assert min(widths) * phone_scale >= 2  # at least two pixels wide on a phone: before, each day's bar was negative
    assert all(float(r.get("height")) > 0 for r in heads)
    migraine_week = svg.findall(f"{SVG}rect[@class='head migraine']")[0].find(f"{SVG}title").text
    assert migraine_week == "Week of 1 Jan: 1 migraine day, 0 other headache days, worst 7/10 (7 days filled in)"
    assert "a week to each bar" in svg.find(f"{SVG}desc").text


@pytest.mark.parametrize("span", [28, 91, 182, 365])
def test_every_length_of_time_line_draws_headaches_at_least_a_pixel_wide_on_a_phone(span):
    last = date(2030, 12, 31)
    days = [d for d in year_of_headaches(last) if d.day > last - timedelta(days=span)]
    svg = parse(migraine_gut_timeline(days, last - timedelta(days=span - 1), last, NARROW))
    heads = [r for r in svg.findall(f"{SVG}rect") if (r.get("class") or "").startswith("head ")]
    assert heads and min(float(r.get("width")) for r in heads) * 330 / NARROW.width >= 1.5


@pytest.mark.parametrize("layout", [WIDE, NARROW], ids=lambda layout: layout.name)
def test_the_legend_is_drawn_as_swatches_with_words_inside_the_picture(layout):
    svg = parse(migraine_gut_timeline([], FIRST, FIRST + timedelta(days=27), layout))
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    for words in ("Migraine", "Headache", "Hard or loose stool", "Other stool", "Bloating"):
        assert words in labels
    swatches = [e for e in svg.iter() if e.get("class") == "legend-swatch"]
    assert len(swatches) == 5
    width = float(svg.get("viewBox").split()[2])
    assert all(float(t.get("x")) < width for t in svg.findall(f"{SVG}text"))  # wrapped inside, not cut off
    assert all(int(t.get("font-size")) >= 11 for t in svg.findall(f"{SVG}text"))


def test_on_a_phone_a_years_month_labels_never_run_into_each_other():
    svg = parse(migraine_gut_timeline([], date(2030, 1, 1), date(2030, 12, 31), NARROW))
    dates = [t for t in svg.findall(f"{SVG}text") if re.fullmatch(r"1 \w{3}", t.text or "")]
    xs = [float(t.get("x")) for t in dates]
    assert 4 <= len(dates) < 12  # every other month or so, not twelve labels on top of each other
    assert all(b - a >= 13 * 0.56 * 5 for a, b in zip(xs, xs[1:], strict=False))


def test_a_page_gets_the_time_line_wide_and_narrow_with_their_own_ids():
    both = str(migraine_gut_timelines([], FIRST, FIRST + timedelta(days=27)))
    assert both.count("<svg") == 2 and "timeline--wide" in both and "timeline--narrow" in both
    ids = re.findall(r'id="([^"]+)"', both)
    assert len(ids) == len(set(ids)) == 4
