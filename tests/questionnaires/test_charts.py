"""The migraine-gut time line is valid SVG that shows each recorded day and leaves gaps blank."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from portal.questionnaires.charts import BOTTOM, TOP, migraine_gut_timeline
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
    assert svg.findall(f"{SVG}rect") == [] and svg.findall(f"{SVG}circle") == []


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
