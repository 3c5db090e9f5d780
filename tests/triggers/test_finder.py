"""The trigger finder's rules at their edges: what counts as a day, as exposed, as enough, as a trigger."""

from __future__ import annotations

from datetime import date, timedelta

from portal.triggers.finder import (
    GUT,
    MIGRAINE,
    Finding,
    JournalDay,
    Tag,
    find_triggers,
    is_bad_gut,
    outcomes,
    tag_factor,
)
from portal.triggers.stats import RiskRatio

START = date(2026, 1, 1)
TAGS = {
    "aged_cheese": Tag("aged_cheese", "Aged cheese"),
    "skipped_meal": Tag("skipped_meal", "Skipped a meal", "habit"),
}


def on(n: int) -> date:
    return START + timedelta(days=n)


def day(n: int, **kw) -> JournalDay:
    kw.setdefault("all_meals_logged", True)
    return JournalDay(on(n), **kw)


def cheese_diary(exposed: int, unexposed: int, followed: int, plain_followed: int = 0) -> list[JournalDay]:
    """Blocks of 3 days: a cheese day (`exposed` of them, the first `followed` with a migraine 2 days later),
    then `unexposed` plain blocks, the first `plain_followed` with a migraine. Every block's first day has its
    two next days recorded."""
    days = []
    for block in range(exposed + unexposed):
        cheese = block < exposed
        migraine = block < followed if cheese else block - exposed < plain_followed
        first = 3 * block
        days.append(day(first, tags=frozenset({"aged_cheese"}) if cheese else frozenset()))
        days.append(day(first + 1))
        days.append(day(first + 2, headache="migraine" if migraine else "none"))
    return days


def cheese(report, outcome=MIGRAINE):
    return next(f for f in (report.migraine if outcome == MIGRAINE else report.gut) if f.factor.key == "aged_cheese")


def test_a_day_whose_next_two_days_are_not_both_recorded_is_left_out():
    days = [day(0, tags=frozenset({"aged_cheese"})), day(1, bloating=2)]  # day 2 missing
    assert outcomes(days)[on(0)] == (None, False)  # no migraine outcome; the gut's needs day 1 only
    days = [day(0), day(2, headache="migraine")]  # day 1 missing
    assert outcomes(days)[on(0)] == (None, None)
    assert outcomes([day(0), day(1), day(2, headache="migraine")])[on(0)][0] is True


def test_the_gut_outcome_needs_the_next_day_with_its_gut_answered():
    assert outcomes([day(0), day(1)])[on(0)][1] is None  # no stool, no bloating answered
    assert outcomes([day(0), day(1, bloating=2)])[on(0)][1] is False
    assert outcomes([day(0), day(1, bloating=6)])[on(0)][1] is True
    assert outcomes([day(0), day(1, stool_types=(4, 7))])[on(0)][1] is True
    assert is_bad_gut((3, 4, 5), 5) is False and is_bad_gut((2,), None) and not is_bad_gut((), None)


def test_the_sentence_counts_match_the_days():
    report = find_triggers(cheese_diary(6, 9, 4), TAGS)
    f = cheese(report)
    # 45 days, the last 2 without their next two: 43 counted, 6 of them cheese days. Migraines on days 2, 5, 8
    # and 11 follow cheese days 0, 3, 6, 9 and the plain days 1, 4, 7, 10 just before them.
    assert (f.a, f.n1, f.c, f.n0) == (4, 6, 4, 37) and report.migraine_days == 43


def test_days_without_all_meals_logged_count_for_no_tag():
    days = [d if d.tags else JournalDay(d.day, headache=d.headache) for d in cheese_diary(6, 9, 4)]
    f = cheese(find_triggers(days, TAGS))
    assert f.n0 == 0 and not f.enough_data  # only the cheese days themselves were logged in full
    assert f.n1 == 6


def test_four_days_with_a_tag_is_not_enough_and_five_is():
    four = cheese(find_triggers(cheese_diary(4, 10, 4)[:-3] + cheese_diary(4, 10, 4)[-3:], TAGS))
    assert four.n1 == 4 and not four.enough_data and four.ratio is None
    five = cheese(find_triggers(cheese_diary(5, 10, 4), TAGS))
    assert five.n1 == 5 and five.enough_data and five.ratio is not None


def test_four_days_without_a_tag_is_not_enough_and_five_is():
    def diary(without: int) -> list[JournalDay]:
        days = [day(n, tags=frozenset({"aged_cheese"})) for n in range(12)]
        return days + [day(12 + n) for n in range(without)] + [JournalDay(on(12 + without + n)) for n in range(2)]

    assert cheese(find_triggers(diary(4), TAGS)).n0 == 4 and not cheese(find_triggers(diary(4), TAGS)).enough_data
    assert cheese(find_triggers(diary(5), TAGS)).n0 == 5 and cheese(find_triggers(diary(5), TAGS)).enough_data


def test_a_possible_trigger_needs_the_lower_bound_above_one():
    strong = cheese(find_triggers(cheese_diary(8, 20, 7), TAGS))
    assert strong.ratio.low > 1 and strong.possible_trigger
    weak = cheese(find_triggers(cheese_diary(6, 20, 2, plain_followed=6), TAGS))
    assert weak.enough_data and weak.ratio.low <= 1 and not weak.possible_trigger


def test_a_lower_bound_of_exactly_one_is_not_a_trigger():
    factor = tag_factor(TAGS["aged_cheese"])
    at_one = Finding(factor, MIGRAINE, 6, 9, 8, 61, RiskRatio(6, 9, 8, 61, 3.0, 1.0, 9.0, False))
    just_above = Finding(factor, MIGRAINE, 6, 9, 8, 61, RiskRatio(6, 9, 8, 61, 3.0, 1.000001, 9.0, False))
    assert not at_one.possible_trigger and just_above.possible_trigger


def test_sorted_triggers_by_lower_bound_then_others_by_ratio_then_too_few_by_name():
    days = cheese_diary(8, 20, 7)
    days = [
        JournalDay(
            d.day,
            d.headache,
            all_meals_logged=True,
            tags=d.tags | ({"skipped_meal"} if i % 2 else set()) | ({"zz_rare"} if i == 0 else set()),
            stress=8 if i % 3 == 0 else 2,
        )
        for i, d in enumerate(days)
    ]
    report = find_triggers(days, TAGS)
    keys = [f.factor.key for f in report.migraine]
    assert keys[0] == "aged_cheese" and report.migraine[0].possible_trigger
    middle = [f for f in report.migraine if f.enough_data and not f.possible_trigger]
    assert [f.ratio.ratio for f in middle] == sorted((f.ratio.ratio for f in middle), reverse=True)
    assert keys[-1] == "zz_rare" and not report.migraine[-1].enough_data
    assert {"skipped_meal", "high_stress"} <= set(keys) and "short_sleep" not in keys  # never answered


def test_sleep_and_stress_count_only_where_answered():
    days = [
        day(n, headache="migraine" if n % 4 == 0 else "none", sleep_minutes=300 if n % 4 == 3 else 480)
        for n in range(40)
    ]
    days[5] = JournalDay(on(5), all_meals_logged=True)  # sleep not answered
    f = next(f for f in find_triggers(days, TAGS).migraine if f.factor.key == "short_sleep")
    assert f.n1 + f.n0 == 37  # 40 days, the last 2 have no next two days, day 5 has no sleep answer
    assert f.possible_trigger  # short nights (day 3 of 4) are always followed by the migraine on day 4


def test_the_gut_findings_use_the_next_day():
    days = [
        day(n, tags=frozenset({"aged_cheese"}) if n % 3 == 0 else frozenset(), bloating=7 if n % 3 == 1 else 1)
        for n in range(60)
    ]
    f = cheese(find_triggers(days, TAGS), GUT)
    assert (f.a, f.n1, f.c) == (20, 20, 0) and f.possible_trigger and f.ratio.corrected


def test_days_around_her_period_can_be_left_out():
    # migraines only on day 1 of each period; cheese eaten the day before each period (and on a few other days)
    days = []
    for n in range(120):
        first = n % 30 == 10
        days.append(
            day(
                n,
                headache="migraine" if first else "none",
                period=(n % 30) in range(10, 14),
                tags=frozenset({"aged_cheese"}) if n % 30 in (8, 20) else frozenset(),
            )
        )
    with_all = find_triggers(days, TAGS)
    assert with_all.cycle.enough_cycles and with_all.cycle.clustered
    assert cheese(with_all).a >= 3
    without = find_triggers(days, TAGS, without_period=True)
    assert without.without_period and without.left_out_for_period > 0
    f = cheese(without)
    assert f.a == 0 and f.n1 >= 3  # the cheese eaten well away from her period remains, followed by nothing
    assert without.migraine_days < with_all.migraine_days


def test_a_tag_code_without_a_name_is_shown_by_its_code():
    report = find_triggers([day(0, tags=frozenset({"own_12"}))], {})
    assert report.migraine[0].factor.label == "own_12"


def test_a_habit_tag_is_phrased_as_a_mark_and_a_food_as_what_she_had():
    report = find_triggers([day(0, tags=frozenset({"skipped_meal", "aged_cheese"}))], TAGS)
    phrases = {f.factor.key: f.factor.phrase for f in report.migraine}
    assert phrases == {"aged_cheese": "days with aged cheese", "skipped_meal": "days marked “skipped a meal”"}
