"""The diary's conclusions in words: each names the days it rests on, and none claims more than the data."""

from __future__ import annotations

from datetime import timedelta

from portal.questionnaires.diary import compare_with_baseline, gut_migraine_link, overuse, stool_pattern
from portal.questionnaires.diary_words import comparison_sentence, link_sentence, overuse_sentence, stool_sentence
from tests.questionnaires.test_diary import START, TODAY, TRIPTAN, Day, days, diary_period, month, on, stools


def test_a_responder_sentence_gives_both_rates_and_their_days():
    text = comparison_sentence(compare_with_baseline(diary_period(0, 28, 8) + diary_period(28, 24, 2), on(55)), "her")
    assert text == (
        "Last 28 days: 2.3 migraine days per 28 days (2 on 24 of 28 days filled in); her first 28 diary "
        "days (1 Jan 2030 to 28 Jan 2030): 8 migraine days (28 of 28 days filled in). "
        "That is 71% fewer per 28 days: at least half as many migraine days."
    )


def test_a_rise_is_called_a_rise():
    text = comparison_sentence(compare_with_baseline(diary_period(0, 28, 4) + diary_period(28, 28, 6), on(55)))
    assert "50% more per 28 days: not yet half as many." in text


def test_each_unknown_outcome_says_why_and_on_how_many_days():
    baseline = diary_period(0, 28, 8)
    assert "in the last 28 days 12 of 28 days filled in, at least 21 needed" in comparison_sentence(
        compare_with_baseline(baseline + diary_period(28, 12, 1), on(55))
    )
    assert "10 of 28 days filled in, at least 21 needed" in comparison_sentence(
        compare_with_baseline(diary_period(0, 10, 2) + diary_period(28, 28, 2), on(55))
    )
    assert "can be made from 25 Feb 2030" in comparison_sentence(compare_with_baseline(diary_period(0, 40, 2), on(39)))
    assert "No migraine days in your first 28 diary days" in comparison_sentence(
        compare_with_baseline(diary_period(0, 28, 0) + diary_period(28, 28, 0), on(55))
    )
    assert comparison_sentence(compare_with_baseline([], on(55))) == ""


def test_overuse_sentences_found_ruled_out_and_unknown():
    several = overuse_sentence(overuse(month({TRIPTAN: 6, frozenset({"simple"}): 6}), TODAY))
    assert several.startswith("Pain medication on 12 days in the last 30 days (30 of 30 filled in), of more than one")
    assert "ICHD-3 8.2.6" in several
    assert "triptans on 10 days (overuse from 10)" in overuse_sentence(overuse(month({TRIPTAN: 10}), TODAY))
    assert overuse_sentence(overuse(month({TRIPTAN: 2}), TODAY)) == (
        "No medication overuse in the last 30 days (30 of 30 filled in): pain medication on 2 days."
    )
    assert overuse_sentence(overuse(month({TRIPTAN: 2}, recorded=12), TODAY)).startswith(
        "Too few diary days to rule out medication overuse: the last 30 days (12 of 30 filled in), at least 23"
    )


def test_the_stool_sentence_counts_the_days_it_uses():
    assert "on the 5 days with a hard or loose stool (5 stools)" in stool_sentence(
        stool_pattern(stools(*[(7,)] * 5, *[(4,)] * 23))
    )
    assert "none hard or loose on 10 days" in stool_sentence(stool_pattern(stools(*[(4,)] * 10)))
    assert stool_sentence(stool_pattern(days(3))) == ""


def test_the_link_sentence_counts_comparable_days():
    assert "(27 so far)" in link_sentence(gut_migraine_link(days(29)))
    bad = [
        Day(START + timedelta(days=i), "migraine" if i % 2 else "none", stool_types=(1,) if i % 2 == 0 else (4,))
        for i in range(30)
    ]
    sentence = link_sentence(gut_migraine_link(bad))
    assert sentence.startswith("After a bad gut day, a migraine followed within 48 hours 100% of the time (14 of 14")
    # every day here has a migraine within 48 hours: a bad gut day is no more often followed by one
    assert sentence.endswith(
        "against 100% after the other days (14 of 14): about as likely (95% interval 0.88 to 1.1)."
    )


def test_the_link_sentence_says_when_every_day_was_a_bad_gut_day():
    bad = [Day(START + timedelta(days=i), stool_types=(7,)) for i in range(30)]
    assert "no other days to compare with" in link_sentence(gut_migraine_link(bad))


def test_the_clients_sentences_say_it_in_words_and_the_practitioners_name_the_rule():
    hard = stool_pattern(stools(*[(1,)] * 5, *[(4,)] * 23))
    assert stool_sentence(hard).endswith(
        "more than a quarter were hard (Bristol 1–2) and under a quarter loose: the IBS pattern, "
        "constipation-predominant (Rome IV), which describes IBS only once IBS is diagnosed."
    )
    assert stool_sentence(hard, for_client=True).endswith(
        "more than a quarter were hard (Bristol 1–2) and under a quarter loose."
    )
    calm = stool_pattern(stools(*[(4,)] * 10))
    assert "IBS pattern, unclassified (Rome IV)" in stool_sentence(calm)
    assert "Rome" not in stool_sentence(calm, for_client=True) and "IBS" not in stool_sentence(calm, for_client=True)
    several = overuse(month({TRIPTAN: 6, frozenset({"simple"}): 6}), TODAY)
    assert "(ICHD-3 8.2.6)" in overuse_sentence(several) and "ICHD" not in overuse_sentence(several, for_client=True)
    triptans = overuse(month({TRIPTAN: 10}), TODAY)
    assert overuse_sentence(triptans, for_client=True).endswith("triptans on 10 days (overuse from 10).")
