"""Starting, answering, stopping and concluding challenges: one transaction each, audited without health text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from portal.challenges import challenges
from portal.challenges.challenges import ChallengeError
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.models import AuditEvent, ChallengeDay, DiaryEntry, Role
from tests.challenges.conftest import add_challenge


def start(case, **values):
    options = {
        "tag_id": case.dairy.id,
        "protocol_line_id": None,
        "title": "",
        "eliminate_days": 21,
        "reintroduce_days": 3,
        "watch_days": 4,
        "starts_on": case.today + timedelta(days=1),
        "today": case.today,
    } | values
    return challenges.start_challenge(case.client, case.practitioner, **options)


def test_a_challenge_of_a_tag_takes_its_name_in_lower_case_and_is_audited_without_it(case):
    challenge = start(case)
    assert challenge.title == "dairy" and challenge.status == "active"
    event = db.session.execute(db.select(AuditEvent).filter_by(client_id=case.client.id)).scalars().all()[-1]
    assert (event.action, event.what, event.what_id) == ("create", "challenge", challenge.id)


def test_an_overlapping_challenge_of_the_same_food_is_refused(case):
    start(case)
    with pytest.raises(ChallengeError) as refused:
        start(case, starts_on=case.today + timedelta(days=20))
    assert refused.value.field == "starts_on"
    gluten = db.session.execute(text("SELECT id FROM trigger_tags WHERE code = 'gluten'")).scalar_one()
    assert start(case, tag_id=gluten).title == "gluten"  # another food at the same time is hers to choose
    assert start(case, starts_on=case.today + timedelta(days=29)).starts_on  # the day after the first one ends


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"eliminate_days": 6}, "eliminate_days"),
        ({"eliminate_days": 43}, "eliminate_days"),
        ({"reintroduce_days": 0}, "reintroduce_days"),
        ({"reintroduce_days": 8}, "reintroduce_days"),
        ({"watch_days": 15}, "watch_days"),
        ({"title": "x" * 121}, "title"),
        ({"tag_id": None}, "tag_id"),
        ({"tag_id": 10**6}, "tag_id"),
    ],
)
def test_bad_values_are_refused_beside_their_field(case, values, field):
    with pytest.raises(ChallengeError) as refused:
        start(case, **values)
    assert refused.value.field == field


def test_the_longest_and_shortest_lengths_are_accepted(case):
    assert start(case, eliminate_days=42, reintroduce_days=7, watch_days=14).eliminate_days == 42
    gluten = db.session.execute(text("SELECT id FROM trigger_tags WHERE code = 'gluten'")).scalar_one()
    assert start(case, tag_id=gluten, eliminate_days=7, reintroduce_days=1, watch_days=1).watch_days == 1


def test_it_can_start_today_but_not_yesterday(case):
    assert start(case, starts_on=case.today).starts_on == case.today
    gluten = db.session.execute(text("SELECT id FROM trigger_tags WHERE code = 'gluten'")).scalar_one()
    with pytest.raises(ChallengeError, match="today or later"):
        start(case, tag_id=gluten, starts_on=case.today - timedelta(days=1))


def test_a_protocol_line_must_be_of_her_current_protocol(case, make_user, make_booking):
    item = protocols.save_item(None, case.practitioner, protocols.ItemText(category="diet", title="Dairy-free"))
    protocol = protocols.protocol_for(case.booking)
    protocols.save_protocol(protocol, summary="", focus_points="", next_steps="", lines=[], add_items=[item])
    line_id = protocols.protocol_for(case.booking).lines[0].id
    with pytest.raises(ChallengeError):  # not published yet: not her current protocol
        start(case, tag_id=None, protocol_line_id=line_id)
    handouts.publish_handout(handouts.load_session(case.booking.id))
    line = challenges.current_protocol_lines(case.client.id)[0]
    challenge = start(case, tag_id=None, protocol_line_id=line.id, title="dairy")
    assert challenge.protocol_line_id == line.id
    other = make_user(Role.CLIENT)
    assert challenges.current_protocol_lines(other.id) == []


def test_her_answer_is_saved_once_per_day_and_corrected_in_place(case):
    challenge = add_challenge(case, starts_days_ago=3)
    challenges.record_answer(challenge, case.today, True, case.today)
    challenges.record_answer(challenge, case.today, False, case.today)
    rows = db.session.execute(db.select(ChallengeDay).filter_by(challenge_id=challenge.id)).scalars().all()
    assert [(r.day, r.ate) for r in rows] == [(case.today, False)]


@pytest.mark.parametrize("offset", [1, -4])  # tomorrow; the day before it started
def test_answers_for_the_future_or_outside_the_challenge_are_refused(case, offset):
    challenge = add_challenge(case, starts_days_ago=3)
    with pytest.raises(ChallengeError):
        challenges.record_answer(challenge, case.today + timedelta(days=offset), True, case.today)


def test_the_conclusion_waits_for_the_end_of_the_watch_phase(case):
    running = add_challenge(case, starts_days_ago=27)  # its last watch day is today
    with pytest.raises(ChallengeError):
        challenges.conclude(running, "Too early", case.today)
    over = add_challenge(case, starts_days_ago=28)
    challenges.conclude(over, "Dairy is one of her triggers.", case.today)
    assert over.status == "ended" and over.ended_at is not None
    raw = db.session.execute(text("SELECT conclusion, title FROM challenges WHERE id = :id"), {"id": over.id}).one()
    assert "Dairy" not in raw[0] and raw[0].startswith("gAAAA") and raw[1].startswith("gAAAA")


def test_an_empty_conclusion_is_refused(case):
    over = add_challenge(case, starts_days_ago=30)
    with pytest.raises(ChallengeError) as refused:
        challenges.conclude(over, "   ", case.today)
    assert refused.value.field == "conclusion" and over.status == "active"


def test_stopping_early_ends_it_today_and_allows_the_conclusion(case):
    challenge = add_challenge(case, starts_days_ago=5)
    challenges.stop_challenge(challenge, case.today)
    assert (challenge.status, challenge.stopped_on) == ("stopped", case.today)
    assert not challenges.can_stop(challenge, case.today)
    challenges.conclude(challenge, "Stopped: a bad week at work.", case.today)
    assert challenge.status == "stopped"


def test_results_read_her_diary_and_answers(case):
    challenge = add_challenge(case, starts_days_ago=30)
    for n in range(21):
        day = challenge.starts_on + timedelta(days=n)
        db.session.add(DiaryEntry(client_id=case.client.id, day=day, bloating=2, stool_types=[4]))
        db.session.add(ChallengeDay(challenge_id=challenge.id, client_id=case.client.id, day=day, ate=n == 4))
    db.session.commit()
    elimination, reintroduction, watch = challenges.results_of(challenge, case.today)
    assert (elimination.recorded_days, elimination.mean_bloating, elimination.ate_days) == (21, 2, 1)
    assert reintroduction.recorded_days == 0 and watch.days == 4


def test_her_home_shows_planned_and_running_challenges_and_the_recently_ended(case):
    add_challenge(case, starts_days_ago=60)  # ended 33 days ago: no longer on her home
    recent = add_challenge(case, starts_days_ago=35)  # ended 8 days ago
    running = add_challenge(case, starts_days_ago=2)
    shown = {c.challenge.id: c.today.phase for c in challenges.on_home(case.client.id, case.today)}
    assert shown == {recent.id: "ended", running.id: "eliminate"}
    assert [c.challenge.id for c in challenges.asked_on(case.client.id, case.today)] == [running.id]
