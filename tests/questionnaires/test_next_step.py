"""responses.next_step: which question comes next, with IBS-SSS's skips; None once all are answered."""

from __future__ import annotations

from portal.questionnaires.instruments import INSTRUMENTS
from portal.questionnaires.responses import items_to_ask, next_step


def test_a_new_questionnaire_starts_at_the_first_question():
    assert next_step(INSTRUMENTS["hit6"], {}) == 1


def test_the_next_step_is_the_first_unanswered_question_even_after_a_gap():
    hit6 = INSTRUMENTS["hit6"]
    first, second, third = (item.key for item in hit6.items[:3])
    assert next_step(hit6, {first: 6}) == 2
    assert next_step(hit6, {first: 6, third: 8}) == 2


def test_all_answered_means_review():
    hit6 = INSTRUMENTS["hit6"]
    assert next_step(hit6, {item.key: 6 for item in hit6.items}) is None


def test_a_no_to_pain_skips_the_pain_questions_in_ibs_sss():
    ibs = INSTRUMENTS["ibs_sss"]
    asked_with_pain = items_to_ask(ibs, {"has_pain": True})
    asked_without = items_to_ask(ibs, {"has_pain": False})
    assert len(asked_without) == len(asked_with_pain) - 2
    answers = {"has_pain": False}
    step = next_step(ibs, answers)
    assert asked_without[step - 1].key not in ("pain_severity", "pain_days")
