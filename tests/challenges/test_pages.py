"""The pages: starting from the case file, her home card and diary question, both results pages, and the
protocol's effect in the case file and in the next handout's PDF (read back with pdftotext)."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.models import AuditEvent, Challenge, ChallengeDay, DiaryEntry, Role
from tests.challenges.conftest import add_challenge
from tests.conftest import log_in, submit_form
from tests.handouts.conftest import pdf_text


def _as(client, user):
    assert log_in(client, user.email).status_code == 302
    return client


def test_the_practitioner_starts_a_challenge_from_the_case_file(case, client):
    _as(client, case.practitioner)
    page = client.get(f"/practitioner/clients/{case.client.id}").get_data(as_text=True)
    assert "Challenges" in page and f"/practitioner/clients/{case.client.id}/challenges/new" in page
    url = f"/practitioner/clients/{case.client.id}/challenges/new"
    form = client.get(url).get_data(as_text=True)
    assert "Dairy" in form and 'value="21"' in form and (case.today + timedelta(days=1)).isoformat() in form
    data = {
        "source": f"tag-{case.dairy.id}",
        "title": "",
        "eliminate_days": "21",
        "reintroduce_days": "3",
        "watch_days": "4",
        "starts_on": (case.today + timedelta(days=1)).isoformat(),
    }
    response = submit_form(client, url, data)
    challenge = db.session.execute(db.select(Challenge)).scalar_one()
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/practitioner/challenges/{challenge.id}"
    )
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Her dairy challenge starts tomorrow" in followed


def test_a_bad_length_is_explained_beside_its_field_and_nothing_typed_is_lost(case, client):
    _as(client, case.practitioner)
    url = f"/practitioner/clients/{case.client.id}/challenges/new"
    data = {
        "source": f"tag-{case.dairy.id}",
        "title": "cow's milk and cheese",
        "eliminate_days": "50",
        "reintroduce_days": "3",
        "watch_days": "4",
        "starts_on": (case.today + timedelta(days=1)).isoformat(),
    }
    page = submit_form(client, url, data).get_data(as_text=True)
    assert "Choose 7 to 42 days." in page and "cow&#39;s milk and cheese" in page and 'value="50"' in page
    assert db.session.execute(db.select(Challenge)).first() is None


def test_a_source_that_is_not_offered_is_refused(case, client):
    _as(client, case.practitioner)
    url = f"/practitioner/clients/{case.client.id}/challenges/new"
    data = {
        "source": "line-99",
        "eliminate_days": "21",
        "reintroduce_days": "3",
        "watch_days": "4",
        "starts_on": case.today.isoformat(),
    }
    response = submit_form(client, url, data)
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)


def test_her_home_shows_the_phase_and_the_diary_asks_about_the_food(case, client):
    challenge = add_challenge(case, starts_days_ago=4)
    _as(client, case.client)
    home = client.get("/me/").get_data(as_text=True)
    assert "Day 5 of 21 without dairy" in home and "Leave out all dairy today." in home
    diary = client.get("/me/diary/").get_data(as_text=True)
    assert "Did you have any dairy today?" in diary
    response = submit_form(
        client,
        f"/me/challenges/{challenge.id}/answer",
        {"ate": "no", "day": case.today.isoformat()},
        form_url="/me/diary/",
    )
    assert response.status_code == 302
    answer = db.session.execute(db.select(ChallengeDay)).scalar_one()
    assert (answer.day, answer.ate) == (case.today, False)
    assert "Today’s answer is saved: none." in client.get("/me/").get_data(as_text=True)


def test_a_forged_day_is_a_plain_400_and_writes_nothing(case, client):
    challenge = add_challenge(case, starts_days_ago=4)
    _as(client, case.client)
    response = submit_form(
        client, f"/me/challenges/{challenge.id}/answer", {"ate": "yes", "day": "9999-99-99"}, form_url="/me/diary/"
    )
    assert response.status_code == 400 and db.session.execute(db.select(ChallengeDay)).first() is None


def _ended_dairy_challenge(case) -> Challenge:
    """Ended 2 days ago: bloating 2 without dairy, 7 with it back in, 3 watching; every day filled in."""
    challenge = add_challenge(case, starts_days_ago=30)
    for n in range(28):
        bloating = 2 if n < 21 else 7 if n < 24 else 3
        day = challenge.starts_on + timedelta(days=n)
        db.session.add(DiaryEntry(client_id=case.client.id, day=day, bloating=bloating, stool_types=[4]))
        db.session.add(ChallengeDay(challenge_id=challenge.id, client_id=case.client.id, day=day, ate=21 <= n < 24))
    db.session.commit()
    return challenge


def test_at_the_end_both_see_the_phases_side_by_side_and_her_conclusion(case, client, app):
    challenge = _ended_dairy_challenge(case)
    _as(client, case.practitioner)
    url = f"/practitioner/challenges/{challenge.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Results" in page and "21 of 21" in page and "Your conclusion" in page
    response = submit_form(client, url, {"conclusion": "Dairy bloats her: keep it out."})
    assert response.status_code == 302
    other = app.test_client()
    _as(other, case.client)
    mine = other.get(f"/me/challenges/{challenge.id}").get_data(as_text=True)
    assert "What it showed" in mine and "Dairy bloats her: keep it out." in mine
    assert "You had dairy on 0 of 21 days without it." in mine
    audited = db.session.execute(db.select(AuditEvent.action, AuditEvent.what).filter_by(what_id=challenge.id)).all()
    assert ("change", "challenge") in audited and ("view", "challenge") in audited


def test_her_results_wait_for_the_end(case, client):
    challenge = add_challenge(case, starts_days_ago=4)
    _as(client, case.client)
    page = client.get(f"/me/challenges/{challenge.id}").get_data(as_text=True)
    assert "What it showed" not in page and "when the challenge is over" in page


def test_an_empty_conclusion_is_explained_beside_the_field(case, client):
    challenge = _ended_dairy_challenge(case)
    _as(client, case.practitioner)
    response = submit_form(client, f"/practitioner/challenges/{challenge.id}", {"conclusion": ""})
    assert response.status_code == 400 and "Write what the challenge showed." in response.get_data(as_text=True)


def test_stopping_a_challenge_early(case, client):
    challenge = add_challenge(case, starts_days_ago=4)
    _as(client, case.practitioner)
    response = submit_form(
        client, f"/practitioner/challenges/{challenge.id}/stop", {}, form_url=f"/practitioner/challenges/{challenge.id}"
    )
    assert response.status_code == 302
    db.session.refresh(challenge)
    assert challenge.status == "stopped" and challenge.stopped_on == case.today


def test_another_clients_challenge_is_404_for_her(case, client, make_user):
    challenge = add_challenge(case, starts_days_ago=4)
    other = make_user(Role.CLIENT, email="olga@example.com")
    _as(client, other)
    assert client.get(f"/me/challenges/{challenge.id}").status_code == 404
    assert "did you have any dairy" not in client.get("/me/diary/").get_data(as_text=True).lower()


# The protocol's effect ------------------------------------------------------------------------------------


def _two_sessions(case, make_booking):
    """A published protocol 40 days ago with a diary around it, and today's follow-up."""
    first = make_booking(case.client, in_days=-40, status="completed")
    item = protocols.save_item(None, case.practitioner, protocols.ItemText(category="supplement", title="Magnesium"))
    protocols.save_protocol(
        protocols.protocol_for(first), summary="", focus_points="", next_steps="", lines=[], add_items=[item]
    )
    published = handouts.publish_handout(handouts.load_session(first.id))
    session_day = published.session_date
    for n in range(1, 29):  # a migraine every other day before; every fourth day in the latest 28
        before = session_day - timedelta(days=n)
        db.session.add(DiaryEntry(client_id=case.client.id, day=before, headache="migraine" if n % 2 else "none"))
    for n in range(28):
        latest = case.today - timedelta(days=n)
        db.session.add(DiaryEntry(client_id=case.client.id, day=latest, headache="migraine" if n % 4 == 0 else "none"))
    db.session.commit()
    second = make_booking(case.client, in_days=1)
    return first, second


def test_the_case_file_shows_each_published_protocols_before_and_after(case, client, make_booking):
    _two_sessions(case, make_booking)
    _as(client, case.practitioner)
    page = client.get(f"/practitioner/clients/{case.client.id}").get_data(as_text=True)
    assert "The protocol’s effect" in page
    assert "a response, as headache specialists define it" in page and "28 of 28 days" in page
    assert '<td class="num">14</td><td class="num">7</td>' in page  # migraine days per 28: before, latest


def test_the_next_handout_says_what_changed_since_the_last_session(case, make_booking):
    _, second = _two_sessions(case, make_booking)
    protocols.protocol_for(second)
    db.session.commit()
    published = handouts.publish_handout(handouts.load_session(second.id))
    text = " ".join(pdf_text(handouts.handout_pdf(published)).split())
    assert "Since your last session" in text
    assert "Migraine days 14 7" in text
    assert "a response, as headache specialists define it" in text


def test_the_first_handout_has_no_since_section(case):
    protocols.protocol_for(case.booking)
    db.session.commit()
    published = handouts.publish_handout(handouts.load_session(case.booking.id))
    assert "Since your last session" not in pdf_text(handouts.handout_pdf(published))


def test_the_effect_costs_the_case_file_the_same_queries_for_one_protocol_or_three(
    case, client, make_booking, count_queries
):
    item = protocols.save_item(None, case.practitioner, protocols.ItemText(category="supplement", title="Zinc"))
    _as(client, case.practitioner)
    url = f"/practitioner/clients/{case.client.id}"
    counted = []
    for n in range(3):
        booking = make_booking(case.client, in_days=-60 + 14 * n, status="completed")
        protocols.save_protocol(
            protocols.protocol_for(booking), summary="", focus_points="", next_steps="", lines=[], add_items=[item]
        )
        handouts.publish_handout(handouts.load_session(booking.id))
        client.get(url)
        with count_queries() as queries:
            page = client.get(url)
        counted.append(queries.count)
    assert counted[0] == counted[2], counted
    assert page.get_data(as_text=True).count('class="effect"') == 3
