"""Every band and grade on both sides of each edge, and every validation rule, called without an app."""

from __future__ import annotations

import pytest

from portal.questionnaires import AnswerError, score
from portal.questionnaires.scoring import (
    hit6_band_for_total,
    hit6_possible_totals,
    ibs_sss_meaningful_improvement,
    rome_iv_subtype,
)


def spread(total: int, items: int, top: int, first: int = 1) -> dict[str, int]:
    """Answers to `items` numbered items, each 0..top, adding up to `total`."""
    answers, left = {}, total
    for n in range(first, first + items):
        answers[str(n)] = min(top, left)
        left -= answers[str(n)]
    assert left == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none-minimal"),
        (4, "none-minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total, band):
    result = score("phq9", spread(total, 9, 3))
    assert (result.total, result.band) == (total, band)


def test_phq9_item_9_above_0_always_raises_the_alert():
    calm = {**{str(i): 0 for i in range(1, 10)}}
    assert score("phq9", calm).flags == ()
    assert score("phq9", {**calm, "9": 1}).flags == ("self_harm_thoughts",)
    assert score("phq9", {**spread(20, 8, 3), "9": 0}).flags == ()  # severe, but no alert without item 9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total, band):
    assert score("gad7", spread(total, 7, 3)).band == band


@pytest.mark.parametrize("bad", [{"1": 4}, {"1": -1}, {"1": "2"}, {"1": True}, {}])
def test_phq9_refuses_answers_out_of_range_or_missing(bad):
    answers = {**{str(i): 0 for i in range(1, 10)}, **bad}
    if not bad:
        del answers["1"]
    with pytest.raises(AnswerError, match="Item 1"):
        score("phq9", answers)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (0, "Grade I"),
        (5, "Grade I"),
        (6, "Grade II"),
        (10, "Grade II"),
        (11, "Grade III"),
        (20, "Grade III"),
        (21, "Grade IV"),
        (150, "Grade IV"),
    ],
)
def test_midas_grades(total, grade):
    answers = {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0}
    answers["1"], answers["3"] = min(total, 90), min(max(total - 90, 0), 60)
    answers["5"] = total - answers["1"] - answers["3"]
    result = score("midas", answers)
    assert (result.total, result.band) == (total, grade)


def test_midas_items_a_and_b_are_stored_but_never_added():
    result = score("midas", {"1": 2, "2": 2, "3": 1, "4": 0, "5": 1, "A": 30, "B": 7})
    assert result.total == 6 and result.band == "Grade II"
    assert result.subscores == {"A": 30.0, "B": 7.0}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"1": 60, "2": 31, "3": 0, "4": 0, "5": 0}, "Items 1 and 2"),
        ({"1": 0, "2": 0, "3": 50, "4": 41, "5": 0}, "Items 3 and 4"),
        ({"1": 91, "2": 0, "3": 0, "4": 0, "5": 0}, "from 0 to 90"),
        ({"1": 10, "2": 0, "3": 0, "4": 0, "5": 0, "A": 9}, "more days than the 9 headache days"),
        ({"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "B": 11}, "Item B must be from 0 to 10"),
    ],
)
def test_midas_day_counts_that_cannot_add_up_are_refused(answers, message):
    with pytest.raises(AnswerError, match=message):
        score("midas", answers)


def hit6(*points: int) -> dict[str, int]:
    return {str(i): p for i, p in enumerate(points, start=1)}


@pytest.mark.parametrize(
    ("points", "total", "band"),
    [
        ((6, 6, 6, 6, 6, 6), 36, "little or no impact"),
        ((8, 8, 8, 8, 8, 8), 48, "little or no impact"),
        ((6, 8, 8, 8, 8, 11), 49, "little or no impact"),
        ((8, 8, 8, 8, 8, 10), 50, "some impact"),
        ((10, 10, 10, 8, 6, 11), 55, "some impact"),
        ((10, 10, 10, 10, 8, 8), 56, "substantial impact"),
        ((10, 10, 10, 10, 8, 11), 59, "substantial impact"),
        ((10, 10, 10, 10, 10, 10), 60, "severe impact"),
        ((13, 13, 13, 13, 13, 13), 78, "severe impact"),
    ],
)
def test_hit6_bands(points, total, band):
    result = score("hit6", hit6(*points))
    assert (result.total, result.band) == (total, band)


def test_hit6_only_takes_its_five_point_values_and_knows_which_totals_can_occur():
    with pytest.raises(AnswerError, match="one of 6, 8, 10, 11 or 13"):
        score("hit6", hit6(6, 6, 6, 6, 6, 7))
    assert min(hit6_possible_totals()) == 36 and max(hit6_possible_totals()) == 78
    assert 37 not in hit6_possible_totals() and 77 not in hit6_possible_totals()
    with pytest.raises(AnswerError, match="37 can't occur"):
        hit6_band_for_total(37)
    assert hit6_band_for_total(60) == "severe impact"


def ibs(pain=0, days=0, distension=0, bowel=0, life=0, **extra) -> dict:
    return {
        "pain_severity": pain,
        "pain_days": days,
        "distension_severity": distension,
        "bowel_dissatisfaction": bowel,
        "life_interference": life,
        **extra,
    }


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (ibs(), 0, "remission"),
        (ibs(life=74), 74, "remission"),
        (ibs(life=75), 75, "mild"),
        (ibs(life=100, bowel=74), 174, "mild"),
        (ibs(life=100, bowel=75), 175, "moderate"),
        (ibs(100, 9, 0, 100, 9), 299, "moderate"),
        (ibs(100, 10, 0, 100, 0), 300, "severe"),
        (ibs(100, 10, 100, 100, 100), 500, "severe"),
    ],
)
def test_ibs_sss_bands(answers, total, band):
    result = score("ibs_sss", answers)
    assert (result.total, result.band) == (total, band)


def test_ibs_sss_no_pain_zeroes_the_pain_items_and_pain_days_count_ten_each():
    assert score("ibs_sss", ibs(50, 4, 20, 30, 40)).subscores["pain_days"] == 40
    result = score("ibs_sss", ibs(50, 4, 20, 30, 40, has_pain=False))
    assert result.total == 90 and result.subscores["pain_severity"] == 0 and result.subscores["pain_days"] == 0
    assert score("ibs_sss", ibs(0, 0, 80, 0, 0, has_distension=False)).total == 0
    with pytest.raises(AnswerError, match="pain_days must be from 0 to 10"):
        score("ibs_sss", ibs(days=11))


def test_ibs_sss_a_drop_of_fifty_is_meaningful():
    assert ibs_sss_meaningful_improvement(280, 230) and not ibs_sss_meaningful_improvement(280, 231)


def test_gsrs_domain_means_and_total():
    answers = {str(i): 1 for i in range(1, 16)}
    answers.update({"2": 7, "3": 5, "11": 4, "12": 4, "14": 1})
    result = score("gsrs", answers)
    assert result.subscores == {
        "abdominal pain": 1.0,
        "reflux": 6.0,
        "indigestion": 1.0,
        "diarrhoea": 3.0,
        "constipation": 1.0,
    }
    assert result.total == round((15 + 6 + 4 + 3 + 3) / 15, 2)
    with pytest.raises(AnswerError, match="Item 15 must be from 1 to 7"):
        score("gsrs", {**answers, "15": 0})


@pytest.mark.parametrize(
    ("types", "subtype"),
    [
        ([], None),
        ([4] * 10, "IBS-U"),
        ([1, 1, 1] + [4] * 7, "IBS-C"),  # 30% hard
        ([1, 1] + [4] * 6, "IBS-U"),  # exactly 25% hard is not more than 25%
        ([7, 7, 6] + [4] * 7, "IBS-D"),
        ([1, 2, 2, 6, 7, 7] + [4] * 4, "IBS-M"),
        ([1, 2, 2, 7, 7] + [4] * 3, "IBS-U"),  # 37.5% hard but exactly 25% loose: C needs under a quarter loose
        ([1, 2, 2, 7] + [4] * 4, "IBS-C"),  # 37.5% hard, 12.5% loose
        ([1, 2, 7, 7, 6] + [4] * 3, "IBS-U"),  # 37.5% loose but exactly 25% hard
        ([1, 7, 7, 6] + [4] * 4, "IBS-D"),
    ],
)
def test_rome_iv_subtype_by_the_quarter_rule(types, subtype):
    assert rome_iv_subtype(types) == subtype


def test_bristol_categories_and_bad_types():
    assert [score("bristol", {"type": t}).band for t in range(1, 8)] == [
        "hard",
        "hard",
        "normal",
        "normal",
        "normal",
        "loose",
        "loose",
    ]
    with pytest.raises(AnswerError):
        score("bristol", {"type": 8})
    with pytest.raises(AnswerError):
        rome_iv_subtype([0])


@pytest.mark.parametrize(("yes", "band"), [(0, "negative"), (1, "negative"), (2, "positive"), (3, "positive")])
def test_id_migraine_two_yes_answers_screen_positive(yes, band):
    keys = ["disability", "nausea", "photophobia"]
    assert score("id_migraine", {k: i < yes for i, k in enumerate(keys)}).band == band
    with pytest.raises(AnswerError, match="yes or no"):
        score("id_migraine", {"disability": 1, "nausea": True, "photophobia": False})


def test_an_unknown_instrument_is_named():
    with pytest.raises(AnswerError, match="no instrument called 'abc'"):
        score("abc", {})
