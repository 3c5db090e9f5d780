"""Which of her scores a handout shows, and the change since last time in plain words."""

from __future__ import annotations

from datetime import datetime, UTC

from portal.handouts.handouts import client_progress

START = datetime(2026, 1, 6, 9, tzinfo=UTC)


def test_a_migraine_and_a_gut_score_are_shown_and_mood_scores_are_left_out(client_user, add_scores):
    add_scores(client_user, "phq9", [12, 9], START)
    add_scores(client_user, "midas", [30, 24], START)
    add_scores(client_user, "hit6", [64, 66], START.replace(day=7))  # answered more recently than MIDAS: the one shown
    add_scores(client_user, "gsrs", [4.2, 3.4], START)  # means of 15 answers: 63 and 51 points
    progress = client_progress(client_user.id, "Europe/London")
    assert [p.code for p in progress] == ["hit6", "gsrs"]
    assert progress[0].change == "66, up 2 from 64 since 7 January 2026."
    assert progress[0].latest_band == "severe impact"
    assert progress[1].change == "3.4, down 0.8 from 4.2 since 6 January 2026: better."


def test_mood_scores_are_shown_when_there_is_nothing_else(client_user, add_scores):
    add_scores(client_user, "gad7", [8], START)
    (progress,) = client_progress(client_user.id, "Europe/London")
    assert progress.code == "gad7" and progress.latest_band == "mild"
    assert progress.change == "8 on 6 January 2026: the first score, the starting point."
    assert "GAD-7 over time" in progress.chart


def test_the_chart_shows_at_most_the_last_12_scores(client_user, add_scores):
    add_scores(client_user, "ibs_sss", [400 - 10 * n for n in range(15)], START)
    (progress,) = client_progress(client_user.id, "Europe/London")
    assert progress.chart.count('class="point"') == 12
    assert ": 380<" not in progress.chart and ": 370<" in progress.chart and ": 260<" in progress.chart


def test_no_scores_no_charts(client_user):
    assert client_progress(client_user.id, "Europe/London") == []
