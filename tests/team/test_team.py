"""Settings → Team: invitations by e-mail (single use, expiring), roles, deactivation; care teams; the
front desk booking for a client; scoping of the lists and exports by role."""

from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import quote
from datetime import timedelta

from portal.access import visible_clients
from portal.booking import bookings, lifecycle
from portal.booking.pages import iso
from portal.cases import notes, search, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import AuditEvent, CareTeam, Invitation, Role, User
from portal.practice import team
from portal.records import export
from tests.conftest import TEST_PASSWORD, csrf_token_from, log_in, submit_form

NEW_PASSWORD = "harbour-lights-at-dusk"


def _join_path(message) -> str:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://portal\.test(/team/join/\S+)", plain)
    assert link, plain
    return link.group(1)


def test_the_owner_invites_an_assistant_who_joins_through_the_emailed_link_once(mail_app, smtp_server, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    assert owner.is_owner
    browser = mail_app.test_client()
    log_in(browser, owner.email)
    response = submit_form(
        browser,
        "/practitioner/team/invitations",
        {"email": " Desk@Example.com ", "role": "assistant"},
        form_url="/practitioner/team",
        follow_redirects=True,
    )
    assert "Invitation sent to desk@example.com" in response.get_data(as_text=True)
    assert [m["To"] for m in smtp_server.messages] == ["desk@example.com"]
    path = _join_path(smtp_server.messages[0])
    assert db.session.execute(db.select(Invitation.token_hash)).scalar_one() not in path  # only its hash is kept

    newcomer = mail_app.test_client()
    page = newcomer.get(path).get_data(as_text=True)
    assert "You are invited as an assistant" in page
    response = newcomer.post(
        path,
        data={
            "csrf_token": csrf_token_from(page),
            "name": "Dee Desk",
            "password": NEW_PASSWORD,
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 302
    dee = db.session.execute(db.select(User).filter_by(email="desk@example.com")).scalar_one()
    assert dee.role == Role.ASSISTANT and dee.name == "Dee Desk"
    assert newcomer.get(path).status_code == 404  # single use
    assert log_in(newcomer, "desk@example.com", NEW_PASSWORD).headers["Location"] == "/practitioner/"


def test_an_expired_invitation_and_a_forged_one_are_refused(app, make_user):
    owner = make_user(Role.PRACTITIONER)
    new = team.invite("late@example.com", Role.PRACTITIONER, owner, now=utcnow() - timedelta(days=8))
    browser = app.test_client()
    assert browser.get(f"/team/join/{new.token}").status_code == 404
    assert "can no longer be used" in browser.get("/team/join/not-a-token").get_data(as_text=True)


def test_an_invitation_for_an_address_with_an_account_is_explained(app, make_user):
    owner = make_user(Role.PRACTITIONER)
    make_user(Role.CLIENT, email="taken@example.com")
    browser = app.test_client()
    log_in(browser, owner.email)
    response = submit_form(
        browser,
        "/practitioner/team/invitations",
        {"email": "taken@example.com", "role": "practitioner"},
        form_url="/practitioner/team",
    )
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)


def test_deactivating_a_member_ends_her_sessions_at_once_and_keeps_her_records(app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    ana = make_user(Role.PRACTITIONER, email="ana@example.com")
    hers = app.test_client()
    log_in(hers, ana.email)
    assert hers.get("/practitioner/").status_code == 200
    mine = app.test_client()
    log_in(mine, owner.email)
    page = mine.get("/practitioner/team").get_data(as_text=True)
    response = mine.post(
        f"/practitioner/team/{ana.id}/deactivate", data={"csrf_token": csrf_token_from(page)}, follow_redirects=True
    )
    assert "logged out everywhere" in response.get_data(as_text=True)
    assert hers.get("/practitioner/").headers["Location"].startswith("/account/login")
    assert log_in(hers, ana.email).status_code == 200  # the login form again: she cannot log in
    db.session.expire_all()
    assert db.session.get(User, ana.id).deactivated_at is not None


def test_the_owner_cannot_be_demoted_or_deactivated(app, make_user):
    owner = make_user(Role.PRACTITIONER)
    for action in (lambda: team.change_role(owner, Role.ASSISTANT, owner), lambda: team.deactivate(owner, owner)):
        try:
            action()
        except team.TeamError:
            pass
        else:
            raise AssertionError("the owner was changed")
    assert owner.role == Role.OWNER and owner.deactivated_at is None


def test_a_first_booking_puts_the_client_on_her_practitioners_care_team(app, practice, make_user):
    clara = make_user(Role.CLIENT)
    start = practice.free(practice.discovery)[0]
    lifecycle.book(clara, practice.discovery, start, needs_payment=False)
    lifecycle.book(clara, practice.discovery, practice.free(practice.discovery)[3], needs_payment=False)
    pairs = db.session.execute(db.select(CareTeam.practitioner_id, CareTeam.client_id)).all()
    assert pairs == [(practice.practitioner.id, clara.id)]


def test_search_and_pages_show_a_practitioner_only_her_care_teams_clients(app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    ana = make_user(Role.PRACTITIONER, email="ana@example.com")
    mine = make_user(Role.CLIENT, name="Xena Mine")
    other = make_user(Role.CLIENT, name="Yara Other")
    team.join_care_team(ana.id, mine.id, owner.id)
    db.session.commit()

    def scoped(user):
        return lambda column: visible_clients(column, user)

    assert [r.client.name for r in search.search_clients("", utcnow(), scope=scoped(ana)).rows] == ["Xena Mine"]
    assert len(search.search_clients("", utcnow(), scope=scoped(owner)).rows) == 2
    browser = app.test_client()
    log_in(browser, ana.email)
    listing = browser.get("/practitioner/clients").get_data(as_text=True)
    assert "Xena Mine" in listing and "Yara Other" not in listing
    assert browser.get(f"/practitioner/clients/{other.id}").status_code == 404
    assert browser.get(f"/practitioner/clients/{mine.id}").status_code == 200


def _records(archive) -> dict:
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        return json.loads(zipped.read("records.json"))


def test_an_export_holds_the_exporting_practitioners_notes_only_and_the_clients_none(app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    ana = make_user(Role.PRACTITIONER, email="ana@example.com")
    xena = make_user(Role.CLIENT)
    for author in (owner, ana):
        templates.ensure_shipped(author)
        note = notes.start_note(xena, author, templates.templates_of(author.id)[0], context="", title="Seen")
        notes.save_draft(note, note.revision, f"By {author.email}", ["Text.", "", "", ""])
        notes.sign_note(note, note.revision, author)
        notes.amend_note(note, author, "Correction", f"Amended by {author.email}")

    def authors(document: dict) -> set[int]:
        tables = document["tables"]
        return {row["practitioner_id"] for row in tables.get("notes", [])} | {
            row["author_id"] for row in tables.get("note_amendments", [])
        }

    assert authors(_records(export.build_archive(xena, for_practitioner=True, notes_author_id=ana.id))) == {ana.id}
    assert authors(_records(export.build_archive(xena, for_practitioner=True, notes_author_id=owner.id))) == {owner.id}
    assert authors(_records(export.build_archive(xena, for_practitioner=False))) == set()


def test_audit_rows_name_the_actors_role(app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    xena = make_user(Role.CLIENT)
    browser = app.test_client()
    log_in(browser, owner.email)
    assert browser.get(f"/practitioner/clients/{xena.id}").status_code == 200
    event = db.session.execute(db.select(AuditEvent)).scalar_one()
    assert (event.actor_id, event.actor_role) == (owner.id, "owner")


def test_the_assistant_books_for_a_client_and_cannot_open_her_case_file(app, practice, make_user):
    desk = make_user(Role.ASSISTANT, email="desk@example.com")
    xena = make_user(Role.CLIENT, name="Xena Client")
    browser = app.test_client()
    log_in(browser, desk.email)
    assert "Xena Client" in browser.get("/practitioner/contacts").get_data(as_text=True)
    start = practice.free(practice.follow_up)[0]
    url = f"/practitioner/clients/{xena.id}/book/{practice.follow_up.id}/confirm"
    response = submit_form(browser, url, {"start": iso(start)}, form_url=f"{url}?start={quote(iso(start))}")
    assert response.status_code == 302
    booking = db.session.execute(db.select(bookings.Booking).filter_by(client_id=xena.id)).scalar_one()
    assert booking.practitioner_id == practice.practitioner.id
    assert browser.get(response.headers["Location"]).status_code == 200
    assert browser.get(f"/practitioner/clients/{xena.id}").status_code == 404
    assert browser.get(f"/practitioner/clients/{xena.id}/diary").status_code == 404
    agenda = browser.get(f"/practitioner/agenda?date={start.date().isoformat()}&view=week").get_data(as_text=True)
    assert "Xena Client" in agenda


def test_the_password_of_the_fixture_still_works_for_team_members(app, make_user):
    desk = make_user(Role.ASSISTANT, email="desk2@example.com")
    assert log_in(app.test_client(), desk.email, TEST_PASSWORD).status_code == 302


def test_the_demo_practice_has_an_owner_a_second_practitioner_and_an_assistant(app):
    from portal.demo import DEMO_ASSISTANT, DEMO_CLIENTS, DEMO_COLLEAGUE, seed_demo

    people = {email: role for role, email, _ in seed_demo("Europe/London", "GBP")}
    assert people["practitioner@example.com"] == Role.OWNER
    assert people[DEMO_COLLEAGUE[1]] == Role.PRACTITIONER and people[DEMO_ASSISTANT[1]] == Role.ASSISTANT
    jonah = db.session.execute(db.select(User).filter_by(email=DEMO_COLLEAGUE[1])).scalar_one()
    amelia = db.session.execute(db.select(User).filter_by(email=DEMO_CLIENTS[1][1])).scalar_one()
    assert [p.id for p in team.care_team_of(amelia.id)] == [jonah.id]


def test_the_audit_page_names_the_role_each_person_acted_in(app, make_user):
    owner = make_user(Role.PRACTITIONER, email="owner@example.com")
    ana = make_user(Role.PRACTITIONER, email="ana@example.com", name="Ana Second")
    xena = make_user(Role.CLIENT)
    team.join_care_team(ana.id, xena.id, owner.id)
    db.session.commit()
    hers = app.test_client()
    log_in(hers, ana.email)
    hers.get(f"/practitioner/clients/{xena.id}")
    mine = app.test_client()
    log_in(mine, owner.email)
    page = mine.get(f"/practitioner/clients/{xena.id}/audit").get_data(as_text=True)
    assert "Ana Second" in page and "(practitioner)" in page


def test_the_assistant_moves_a_session_outside_the_hours_as_the_practitioner_may(app, practice, make_user):
    desk = make_user(Role.ASSISTANT, email="desk3@example.com")
    xena = make_user(Role.CLIENT)
    booking = lifecycle.book(xena, practice.follow_up, practice.free(practice.follow_up)[0], needs_payment=False)
    late = booking.starts_at.replace(hour=21, minute=0) + timedelta(days=1)  # after her working hours
    lifecycle.move(booking, late, desk)
    assert booking.starts_at == late


def test_the_booking_page_lets_a_visitor_choose_the_practitioner(app, make_user):
    from portal.practice import settings

    maya = make_user(Role.PRACTITIONER, name="Maya Lennox")
    jonah = make_user(Role.PRACTITIONER, name="Jonah Reyes")
    for person, name in ((maya, "Gut reset"), (jonah, "Migraine review")):
        settings.save_service(
            None, person, name=name, description="", duration_minutes=30, price_minor=0, currency="GBP", active=True
        )
    browser = app.test_client()
    page = browser.get("/book/").get_data(as_text=True)
    assert "Gut reset" in page and "Migraine review" in page and "with Jonah Reyes" in page
    only_jonah = browser.get(f"/book/?with={jonah.id}").get_data(as_text=True)
    assert "Migraine review" in only_jonah and "Gut reset" not in only_jonah
    team.deactivate(jonah, maya)
    page = browser.get("/book/").get_data(as_text=True)
    assert "Migraine review" not in page and "Sessions are with Maya Lennox" in page
