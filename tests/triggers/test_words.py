"""The finder's sentences, as the issue words them."""

from __future__ import annotations

from datetime import date

from portal.triggers.cycle import Cycle, CycleSummary
from portal.triggers.finder import GUT, MIGRAINE, Finding, Tag, tag_factor
from portal.triggers.stats import risk_ratio
from portal.triggers.words import cycle_sentence, figure, finding_sentence, likelihood

CHEESE = tag_factor(Tag("aged_cheese", "Aged cheese"))


def test_the_issue_example_reads_as_the_issue_words_it():
    f = Finding(CHEESE, MIGRAINE, 6, 9, 8, 61, risk_ratio(6, 9, 8, 61))
    assert finding_sentence(f) == (
        "After days with aged cheese, a migraine followed 6 times in 9 (67%); after days without, 8 times in 61 (13%)."
    )
    assert likelihood(f.ratio) == "about 5.1 times as likely (95% interval 2.3 to 11)"


def test_the_gut_sentence_names_the_next_day_and_once_is_once():
    f = Finding(CHEESE, GUT, 1, 9, 8, 61, risk_ratio(1, 9, 8, 61))
    assert finding_sentence(f).startswith("After days with aged cheese, a bad gut day followed the next day once in 9")


def test_too_few_days_says_how_many_so_far():
    f = Finding(CHEESE, MIGRAINE, 2, 4, 8, 61, None)
    assert finding_sentence(f) == (
        "Not enough data yet: this needs at least 5 days with aged cheese and 5 without (4 and 61 so far)."
    )


def test_figures_have_two_significant_digits_and_a_ratio_near_one_is_about_as_likely():
    assert (figure(12.4), figure(5.08), figure(0.456)) == ("12", "5.1", "0.46")
    assert likelihood(risk_ratio(5, 10, 5, 10)).startswith("about as likely (95% interval 0.42 to 2.4)")


def _cycles(*migraines: bool) -> CycleSummary:
    read = tuple(Cycle(date(2026, m + 1, 10), (), True, hit) for m, hit in enumerate(migraines))
    return CycleSummary(read, read[-3:], frozenset())


def test_the_cycle_sentence_at_two_of_three_one_of_three_and_too_few():
    assert cycle_sentence(_cycles(True, False, True)).endswith(
        "in 2 of the last 3 cycles: your migraines may be linked to your cycle."
    )
    assert cycle_sentence(_cycles(True, False, False)).endswith("(a link needs at least 2 of 3).")
    assert "not enough cycles yet" in cycle_sentence(_cycles(True, True))
    assert cycle_sentence(CycleSummary((), (), frozenset())).startswith("No cycle found yet")
