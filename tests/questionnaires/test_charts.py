"""The migraine-gut time line is valid SVG that shows each recorded day and leaves gaps blank."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from portal.questionnaires.charts import migraine_gut_timeline
from portal.questionnaires.diary import Day

SVG = "{http://www.w3.org/2000/svg}"
FIRST = date(2030, 1, 1)


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_each_day_is_drawn_where_it_belongs_and_gaps_stay_blank():
    days = [Day(FIRST, "migraine", 8, stool_types=(1, 4), bloating=7),
            Day(FIRST + timedelta(days=1), "headache", 3),
            Day(FIRST + timedelta(days=3))]  # nothing happened that day; day 3 has no entry at all
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
