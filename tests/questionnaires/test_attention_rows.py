"""The stored attention rows: kept up to date by every change and by time passing, they always say what a fresh
computation says; the dashboard reads a fixed number of rows whatever the size of the practice."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs.runner import run_jobs
from portal.models import AttentionSummary, Booking, BookingStatus, QuestionnaireResponse, Role
from portal.questionnaires import attention, custom, diary_entries
from portal.practice import team
from portal.records import erasure
from tests.conftest import log_in

EVERYONE = lambda column: db.true()  # noqa: E731


def stored(now: datetime) -> set[tuple[int, str, str]]:
    """What the list shows at `now` (after the page recomputes the rows that are due)."""
    shown = attention.listing(now, EVERYONE, limit=10_000)
    assert shown.pending == 0
    return {(flag.client_id, flag.kind, flag.message) for item in shown.clients for flag in item.flags}


def fresh(now: datetime) -> set[tuple[int, str, str]]:
    return {(flag.client_id, flag.kind, flag.message) for flag in attention.needs_attention(now)}


def save_day(client, day, *, medication: set[str]) -> None:
    today = utcnow().astimezone(ZoneInfo(client.timezone)).date()
    diary_entries.save_entry(
        client,
        min(day, today),
        today,
        headache="migraine" if medication else "none",
        intensity=6 if medication else 0,
        headache_minutes=120 if medication else 0,
        medication=medication,
        stool_types=[4],
        bloating=1,
        abdominal_pain=0,
        note="",
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_rows_agree_with_a_fresh_computation_after_random_changes(
    seed, practice, make_user, make_booking, make_response
):
    rng = random.Random(seed)
    zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Pacific/Auckland"]
    clients = [make_user(name=f"Client {n}", timezone=zones[n % len(zones)]) for n in range(5)]
    clock = utcnow()
    for step in range(45):
        client = rng.choice(clients)
        action = rng.choice(["diary", "diary", "diary", "answer", "answer", "book", "cancel", "zone", "time", "job"])
        if action == "diary":  # a run of medication days makes overuse; days without take it away again
            medication = rng.choice([set(), {"triptan"}, {"simple"}, {"triptan", "simple"}])
            for _ in range(rng.randrange(1, 12)):
                save_day(client, clock.date() - timedelta(days=rng.randrange(0, 35)), medication=medication)
        elif action == "answer":
            code, top = rng.choice([("phq9", 25), ("gad7", 21), ("ibs_sss", 500)])
            item_9 = rng.choice([0, 1]) if code == "phq9" else 0
            answers = {"9": item_9} if code == "phq9" else None
            total = rng.randrange(item_9, top)
            make_response(client, code, total=total, answers=answers, days_ago=rng.choice([0, 1, 10, 170, 179, 200]))
        elif action == "book":
            status = rng.choice(["confirmed", "completed", "cancelled"])
            days = rng.randrange(-20, -1) if status == "completed" else rng.randrange(1, 15)
            make_booking(client, in_days=days, status=status)
        elif action == "cancel":
            booking = db.session.execute(
                db.select(Booking).filter_by(client_id=client.id, status=BookingStatus.CONFIRMED).limit(1)
            ).scalar_one_or_none()
            if booking is not None:
                booking.status = BookingStatus.CANCELLED
                db.session.commit()
        elif action == "zone":
            client.timezone = rng.choice(zones)
            db.session.commit()
        elif action == "time":  # hours to days pass: midnights, session starts and the look-back move on
            clock += timedelta(hours=rng.choice([1, 5, 11, 23, 49, 24 * 6]))
        else:
            run_jobs(clock)
        assert stored(clock) == fresh(clock), f"seed {seed}, step {step}: {action}"


def test_rows_that_time_has_changed_wait_for_the_worker_beyond_a_few(practice, make_user, make_response, monkeypatch):
    amy, bea, cat = (make_user(name=name) for name in ("Amy", "Bea", "Cat"))
    for person in (amy, bea, cat):
        make_response(person, "phq9", total=3, answers={"9": 1})
    later = utcnow() + timedelta(days=attention.LOOK_BACK_DAYS + 1)  # every answer has left the look-back
    monkeypatch.setattr(attention, "PAGE_REFRESH_LIMIT", 1)
    shown = attention.listing(later, EVERYONE, limit=50)
    assert shown.pending == 2 and len(shown.clients) == 2  # one recomputed by the page, two not yet
    assert attention.refresh_stale(later) == 2
    assert attention.listing(later, EVERYONE, limit=50).clients == [] == attention.needs_attention(later)


def test_a_new_client_has_a_row_and_a_draft_answer_changes_nothing(make_user, count_queries):
    dana = make_user(name="Dana")
    row = db.session.execute(db.select(AttentionSummary).filter_by(client_id=dana.id)).scalar_one()
    assert row.flags == [] and row.flag_count == 0
    with count_queries() as queries:
        draft = a_draft(dana)
        draft.answers = {"1": 3}
        db.session.commit()
    assert not any("attention_summaries" in statement for statement in queries.statements)


def a_draft(client):
    draft = QuestionnaireResponse(client_id=client.id, code="phq9", version="1", answers={})
    db.session.add(draft)
    db.session.commit()
    return draft


def test_a_retitled_questionnaire_renames_its_flags(practitioner, make_user, make_response):
    eve = make_user(name="Eve")
    questionnaire = custom.create_questionnaire(practitioner, "Sleep check")
    questionnaire.draft_items = [{"key": "1", "text": "How did you sleep?", "kind": "scale_0_10", "required": True}]
    custom.publish(questionnaire)
    make_response(eve, custom.code_of(questionnaire.id), answers={"1": 4})
    assert stored(utcnow()) == {(eve.id, "new", "New answers since the last session: Sleep check")}
    custom.update_details(questionnaire, "Sleep diary", "", False)
    custom.publish(questionnaire)
    assert stored(utcnow()) == {(eve.id, "new", "New answers since the last session: Sleep diary")} == fresh(utcnow())


def test_erasing_a_client_removes_her_row(make_user, make_response):
    fay = make_user(name="Fay")
    make_response(fay, "phq9", total=3, answers={"9": 1})
    assert db.session.execute(db.select(AttentionSummary).filter_by(client_id=fay.id)).scalar_one().flag_count == 2
    erasure.erase_client(fay)
    assert db.session.execute(db.select(AttentionSummary).filter_by(client_id=fay.id)).scalar_one_or_none() is None


# The dashboard -------------------------------------------------------------------------------------------------


def test_the_dashboard_shows_one_line_per_client_and_links_to_the_rest(client, make_user, make_response, monkeypatch):
    from portal.home import views

    monkeypatch.setattr(views, "DASHBOARD_FLAGGED", 2)
    monkeypatch.setattr(views, "ATTENTION_PAGE", 2)
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    amy, bea, cat = (make_user(name=name) for name in ("Amy Able", "Bea Best", "Cat Cole"))
    make_response(amy, "phq9", total=6, days_ago=30)
    make_response(amy, "phq9", total=11, answers={"9": 1}, days_ago=2)  # alert, worse, new: one line
    make_response(bea, "gad7", total=4)
    make_response(cat, "gad7", total=5)
    log_in(client, maya.email)
    page = client.get("/practitioner/").get_data(as_text=True)
    assert (
        page.count('<span class="when">Amy Able</span>') == 1
        and "item 9 answered above 0" in page
        and "PHQ-9 mild → moderate" in page
    )
    # alerts first, then by name; two shown (the "what happened" list further down names every new answer)
    attention_part = page.split("Needs your attention", 1)[1].split("All 3 clients who need your attention", 1)[0]
    assert "Bea Best" in attention_part and "Cat Cole" not in attention_part
    assert "All 3 clients who need your attention" in page
    second = client.get("/practitioner/attention?page=2").get_data(as_text=True)
    assert "Cat Cole" in second and "Amy Able" not in second and "Page 2 of 2" in second
    assert client.get("/practitioner/attention?page=3").status_code == 404
    assert client.get("/practitioner/attention?page=abc").status_code == 200  # the first page


def test_the_attention_page_is_for_clinicians_only(client, make_user):
    helper = make_user(Role.ASSISTANT, email="desk@example.com")
    log_in(client, helper.email)
    assert client.get("/practitioner/attention").status_code == 404
    clara, browser = make_user(email="clara@example.com"), client.application.test_client()
    log_in(browser, clara.email)
    assert browser.get("/practitioner/attention").status_code == 404


def test_the_dashboard_reads_as_many_rows_for_forty_flagged_clients_as_for_one(
    client, make_user, make_response, count_queries
):
    maya = make_user(Role.OWNER, email="maya@example.com")
    make_response(make_user(name="First"), "gad7", total=4)
    log_in(client, maya.email)
    client.get("/practitioner/")
    with count_queries() as one:
        assert "First" in client.get("/practitioner/").get_data(as_text=True)
    for n in range(40):
        make_response(make_user(name=f"Other {n}"), "gad7", total=4)
    with count_queries() as forty:
        client.get("/practitioner/")
    assert forty.count == one.count


def test_a_new_time_zone_moves_her_overuse_window_at_once(make_user):
    """Ten triptan days ending 20 days ago are overuse in London at noon (UTC); in Auckland it is already
    tomorrow there, the oldest day has left her 30 days and nine are not."""
    now = utcnow()
    clock = now.replace(hour=12, minute=0, second=0, microsecond=0)
    clock += timedelta(days=1) if clock < now else timedelta()
    gail = make_user(name="Gail", timezone="Europe/London")
    for n in range(20, 30):
        save_day(gail, clock.date() - timedelta(days=n), medication={"triptan"})
    attention.refresh([gail.id], clock)
    db.session.commit()
    assert {kind for _, kind, _ in stored(clock)} == {"overuse"}
    gail.timezone = "Pacific/Auckland"
    db.session.commit()
    assert stored(clock) == set() == fresh(clock)


def test_a_practitioner_sees_only_her_care_teams_flags(app, make_user, make_response):
    owner = make_user(Role.OWNER, email="owner@example.com")
    ana = make_user(Role.PRACTITIONER, email="ana@example.com")
    mine, other = make_user(name="Xena Mine"), make_user(name="Yara Other")
    team.join_care_team(ana.id, mine.id, owner.id)
    db.session.commit()
    for person in (mine, other):
        make_response(person, "phq9", total=3, answers={"9": 1})
    pages = {}
    for who in (ana, owner):
        browser = app.test_client()
        log_in(browser, who.email)
        pages[who.email] = browser.get("/practitioner/").get_data(as_text=True) + browser.get(
            "/practitioner/attention"
        ).get_data(as_text=True)
    assert "Xena Mine" in pages["ana@example.com"] and "Yara Other" not in pages["ana@example.com"]
    assert "Xena Mine" in pages["owner@example.com"] and "Yara Other" in pages["owner@example.com"]
