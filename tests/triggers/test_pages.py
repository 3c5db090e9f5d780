"""The trigger finder on her diary page, on the practitioner's diary page and in the case file; and who may see it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from portal.db_types import utcnow
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.triggers import loader
from tests.conftest import log_in
from tests.triggers.journal import fill_journal


def _today(user):
    return utcnow().astimezone(ZoneInfo(user.timezone)).date()


def test_the_loader_takes_two_queries_however_long_the_diary(app, make_user, count_queries):
    short, long = make_user(), make_user()
    fill_journal(short, _today(short), 3)
    fill_journal(long, _today(long), 200)
    counted = []
    for who_id, today in [(u.id, _today(u)) for u in (make_user(), short, long)]:
        with count_queries() as queries:
            report = loader.trigger_report(who_id, today)
        counted.append(queries.count)
    assert counted == [2, 2, 2]
    assert report.migraine_days == 198


def test_the_loader_reads_the_meal_and_day_tags_and_the_measures(app, client_user):
    fill_journal(client_user, _today(client_user), 30)
    days, tags = loader.journal_days(client_user.id, _today(client_user).replace(year=2000))
    assert len(days) == 30 and {"aged_cheese", "dairy", "caffeine", "skipped_meal"} == set(tags)
    assert days[0].tags == frozenset({"caffeine", "aged_cheese", "dairy", "skipped_meal"})  # day 0: all of them
    assert (
        days[0].sleep_minutes == 330
        and days[9].all_meals_logged is False
        and tags["aged_cheese"].label == "Aged cheese"
    )


def test_her_diary_page_names_aged_cheese_as_a_possible_trigger_and_explains_why_it_is_not_proof(client, client_user):
    fill_journal(client_user, _today(client_user))
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    assert "What may set off your migraines" in page
    assert "After days with aged cheese, a migraine followed" in page
    assert "Possible trigger" in page and "times as likely (95% interval" in page
    assert "A possible trigger is not proof" in page and "elimination challenge with your practitioner" in page
    assert "After days with dairy, a bad gut day followed the next day" in page
    assert "Leave out days around your period" in page
    assert "5 cycles found. Migraines fell in the five days around the period in 3 of the last 3 cycles" in page
    assert "your migraines may be linked to your cycle" in page


def test_leaving_out_days_around_her_period_says_how_many(client, client_user):
    fill_journal(client_user, _today(client_user))
    log_in(client, client_user.email)
    page = client.get("/me/diary/?without_period=1").get_data(as_text=True)
    assert "days around your period left out" in page
    assert "days around your period left out" not in client.get("/me/diary/?without_period=yes").get_data(as_text=True)


def test_a_new_diary_says_not_enough_data_yet(client, client_user):
    log_in(client, client_user.email)
    page = client.get("/me/diary/").get_data(as_text=True)
    assert "Not enough data yet: each food or measure needs at least 5 days with it and 5 without" in page
    assert "No cycle found yet" in page


def test_the_practitioner_sees_it_on_her_diary_page_and_in_the_case_file_and_the_read_is_audited(
    client, client_user, make_user
):
    maya = make_user(Role.PRACTITIONER, email="maya@example.com")
    fill_journal(client_user, _today(client_user))
    log_in(client, maya.email)
    diary = client.get(f"/practitioner/clients/{client_user.id}/diary").get_data(as_text=True)
    assert "Trigger finder" in diary and "her migraines may be linked to her cycle" in diary
    assert "After days with aged cheese, a migraine followed" in diary
    case = client.get(f"/practitioner/clients/{client_user.id}?without_period=1").get_data(as_text=True)
    assert "Trigger finder" in case and "days around her period left out" in case
    kinds = db.session.execute(db.select(AuditEvent.what).filter_by(client_id=client_user.id)).scalars().all()
    assert "trigger_finder" in kinds and "case_file" in kinds


def test_another_client_and_the_assistant_get_page_not_found(client, client_user, make_user):
    fill_journal(client_user, _today(client_user))
    other = make_user(email="other@example.com")
    log_in(client, other.email)
    assert client.get(f"/practitioner/clients/{client_user.id}/diary").status_code == 404
    assert "aged cheese" not in client.get("/me/diary/").get_data(as_text=True)  # her own page: her own diary
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    client.post("/account/logout")
    assistant = client.application.test_client()
    log_in(assistant, desk.email)
    assert assistant.get(f"/practitioner/clients/{client_user.id}/diary").status_code == 404
    assert assistant.get(f"/practitioner/clients/{client_user.id}").status_code == 404
