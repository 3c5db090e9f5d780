"""The role x route matrix, generated from the app's url_map: every route is opened (GET, or POST with a real
CSRF token) by each role against rows of one client, and must answer as its declared rule says.

A route missing from RULES fails the test, so a new route has to be classified here. "Allowed" means the view
ran for her (any answer but 404, the login redirect or an error); "denied" means 404 for a logged-in person and
the login page for a visitor.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from PIL import Image

from portal.booking import bookings, lifecycle
from portal.cases import notes, templates
from portal.db_types import utcnow
from portal.extensions import db
from portal.handouts import handouts, protocols
from portal.journal import meals, photos, tags
from portal.messages import conversations
from portal.messages.attachments import clean_upload
from portal.models import MessageAttachment, OutboxMessage, PackageInstalment, OutboxStatus, PaymentMethod, Role, User
from portal.packages.examples import seed_demo_package
from portal.models import (
    Challenge,
    TriggerTag,
)
from portal.payments import ledger
from portal.practice import settings
from portal.questionnaires import custom, responses
from tests.conftest import csrf_token_from, log_in
from tests.consent.conftest import publish_document, sign_as

ROLES = ("visitor", "client", "practitioner_on", "practitioner_off", "assistant", "owner")
EVERYONE = set(ROLES)
CLIENT = {"client"}
STAFF = {"practitioner_on", "practitioner_off", "assistant", "owner"}
CLINICAL = {"practitioner_on", "practitioner_off", "owner"}
CLIENT_X_CLINICAL = {"practitioner_on", "owner"}  # her care team, and the owner who sees every client
AUTHOR = {"practitioner_on"}  # rows that are the practitioner's own (notes, her library, her hours)
BOOKING_DESK = {"practitioner_on", "assistant", "owner"}  # a session of hers: the front desk and the owner too
OWNER = {"owner"}

# Routes left out, with the reason: each is reached by a secret in its URL or a signature, tested where it lives.
SKIPPED = {
    "static": "files",
    "booking.calendar_feed": "a secret address; tests/booking/test_calendar.py",
    "payments.stripe_webhook": "Stripe's signature; tests/payments",
    "accounts.reset_password": "a signed token; tests/accounts/test_password_reset.py",
    "team.accept": "a single-use token; tests/team/test_team.py",
    "accounts.logout": "ends the session the matrix uses; tests/accounts/test_login.py",
    "accounts.logout_everywhere": "ends the session the matrix uses; tests/accounts/test_sessions.py",
    "accounts.confirm_email": "a signed, single-use token; tests/accounts/test_signup.py",
    "accounts.welcome": "a signed, single-use token; tests/booking/test_book_for_client.py",
}

RULES: dict[str, set[str]] = {
    "accounts.login": EVERYONE,
    "accounts.signup": EVERYONE,
    "accounts.reset_request": EVERYONE,
    "home.index": EVERYONE,
    "health.healthz": EVERYONE,  # the load balancer's check; tests/core/test_database_outage.py
    "booking.services": EVERYONE,
    "booking.slots": EVERYONE,
    "accounts.check_email": EVERYONE,
    "accounts.account": EVERYONE - {"visitor"},  # her own account page and sessions, whoever she is
    # the client's own pages
    "home.client_home": CLIENT,
    "booking.confirm": CLIENT,
    "booking.client_booking": CLIENT,
    "booking.cancel": CLIENT | BOOKING_DESK,  # one view: her own session, or one the desk manages
    "booking.reschedule": CLIENT,
    "booking.reschedule_confirm": CLIENT,
    "payments.my_payments": CLIENT,
    "payments.pay": CLIENT,
    "payments.pay_with_test_card": CLIENT,
    "payments.payment_status": CLIENT,
    "payments.receipt": CLIENT,
    "payments.receipt_pdf": CLIENT,
    "questionnaires.diary": CLIENT,
    "questionnaires.start": CLIENT,
    "questionnaires.answer": CLIENT,
    "questionnaires.review": CLIENT,
    "records.my_profile": CLIENT,
    "records.my_export": CLIENT,
    "handouts.my_handouts": CLIENT,
    "handouts.download": CLIENT | AUTHOR,
    "consent.sign": CLIENT,
    "consent.my_documents": CLIENT,
    "consent.my_pdf": CLIENT,
    "messages.my_thread": CLIENT,
    "messages.my_updates": CLIENT,
    "messages.download": CLIENT | CLIENT_X_CLINICAL,  # her conversation's files: the two sides only
    "journal.photo": CLIENT | CLIENT_X_CLINICAL,  # her meal photo: she and her care team
    "journal.tag_list": CLINICAL,
    "journal.rename": CLINICAL,
    "journal.archive": CLINICAL,
    "journal.restore": CLINICAL,
    # the front desk
    "home.practitioner_home": STAFF,
    "home.activity_page": STAFF,  # each sees what happened to the clients she may see
    "home.mark_activity_seen": STAFF,
    "booking.agenda": STAFF,
    "booking.book_for_client": STAFF,  # the form; a client off her care team is 404 (test_book_for_client.py)
    "payments.practice_payments": STAFF,
    "team.contacts": STAFF,
    "booking.practitioner_booking": BOOKING_DESK,
    "booking.practitioner_move": BOOKING_DESK,
    "booking.practitioner_outcome": BOOKING_DESK,
    "booking.practitioner_video_link": BOOKING_DESK,
    "payments.record_payment": BOOKING_DESK,
    "home.retry_message": BOOKING_DESK,  # an undelivered booking e-mail to client X
    "payments.refund": BOOKING_DESK,
    "payments.practice_receipt_pdf": BOOKING_DESK,  # the receipt of a session of hers
    "team.book_for_client": BOOKING_DESK,
    "team.book_slots": {"practitioner_on", "assistant"},
    "team.book_confirm": {"practitioner_on", "assistant"},
    # a practitioner's own working tools
    "cases.clients": CLINICAL,
    "home.attention_list": CLINICAL,  # each sees her own care team's flags
    "cases.templates": CLINICAL,
    "handouts.library": CLINICAL,
    "handouts.new_item": CLINICAL,
    "handouts.settings_page": CLINICAL,
    "messages.inbox": CLINICAL,  # each sees her own care team's conversations
    "messages.settings_page": CLINICAL,
    "messages.saved_replies": CLINICAL,
    "handouts.logo": CLINICAL,
    "questionnaires.library": CLINICAL,
    "consent.documents_page": CLINICAL,  # the practice's consent and policy documents, shared by its practitioners
    "consent.new_document": CLINICAL,
    "consent.edit_document": CLINICAL,
    "consent.publish": CLINICAL,
    "questionnaires.save_intake": CLINICAL,
    "practice.services": CLINICAL,
    "practice.new_service": CLINICAL,
    "practice.settings_page": CLINICAL,
    "practice.add_hours": CLINICAL,
    "practice.edit_hours": AUTHOR,
    "practice.add_time_off": CLINICAL,
    "practice.save_rules": CLINICAL,
    "practice.save_address": CLINICAL,
    "practice.renew_feed": CLINICAL,
    "practice.revoke_feed": CLINICAL,
    "cases.edit_template": AUTHOR,
    "handouts.edit_item": AUTHOR,
    "messages.delete_reply": AUTHOR,
    "handouts.archive_item": AUTHOR,
    "handouts.restore_item": AUTHOR,
    "practice.edit_service": AUTHOR,
    "practice.delete_hours": AUTHOR,
    "practice.delete_time_off": AUTHOR,
    "questionnaires.edit_questionnaire": AUTHOR,
    "questionnaires.save_details": AUTHOR,
    "questionnaires.add_question": AUTHOR,
    "questionnaires.change_question": AUTHOR,
    "questionnaires.change_questionnaire": AUTHOR,
    # client X's clinical pages
    "cases.case_file": CLIENT_X_CLINICAL,
    "cases.new_note": CLIENT_X_CLINICAL,
    "questionnaires.client_diary": CLIENT_X_CLINICAL,
    "questionnaires.assign": CLIENT_X_CLINICAL,
    "records.client_profile": CLIENT_X_CLINICAL,
    "records.client_audit": CLIENT_X_CLINICAL,
    "records.client_export": CLIENT_X_CLINICAL,
    "handouts.client_handouts": CLIENT_X_CLINICAL,
    "consent.client_pdf": CLIENT_X_CLINICAL,
    "messages.client_thread": CLIENT_X_CLINICAL,
    "messages.client_updates": CLIENT_X_CLINICAL,
    "messages.mark_done": CLIENT_X_CLINICAL,
    "messages.reopen": CLIENT_X_CLINICAL,
    "challenges.new_challenge": CLIENT_X_CLINICAL,
    "challenges.practitioner_challenge": CLIENT_X_CLINICAL,
    "challenges.stop": CLIENT_X_CLINICAL,
    "challenges.my_challenge": CLIENT,
    "challenges.answer": CLIENT,
    # notes and session handouts: their author alone (notes stay private even from the owner)
    "cases.note": AUTHOR,
    "cases.autosave": AUTHOR,
    "cases.amend": AUTHOR,
    "handouts.compose": AUTHOR,
    "handouts.preview": AUTHOR,
    "handouts.preview_pdf": AUTHOR,
    "handouts.publish": AUTHOR,
    # the owner's
    "records.client_erase": OWNER,
    "team.team_page": OWNER,
    "practice.save_contact": OWNER,  # the practice's phone, e-mail and registration details
    "team.invite": OWNER,
    "team.change_role": OWNER,
    "team.deactivate": OWNER,
    "team.reactivate": OWNER,
    "team.care_team": OWNER,
    "team.remove_from_care_team": OWNER,
    # packages and codes: hers to sell; a client's packages for whoever sees her contact details and bookings
    "packages.catalogue_page": CLINICAL,
    "packages.new_package": CLINICAL,
    "packages.edit_package": AUTHOR,
    "packages.publish_package": AUTHOR,
    "packages.withdraw_package": AUTHOR,
    "packages.new_code": CLINICAL,
    "packages.toggle_code": AUTHOR,
    "packages.client_packages": BOOKING_DESK,
    "packages.instalment_paid": BOOKING_DESK,
    "packages.end_purchase": BOOKING_DESK,
    "packages.purchase_blocking": BOOKING_DESK,
    "packages.mine": CLIENT,
    "packages.package": EVERYONE,
    "packages.buy": CLIENT,
    "packages.pay_instalment": CLIENT,
    "packages.pay_instalment_with_test_card": CLIENT,
    "packages.instalment_status": CLIENT,
}

# Two paths of one endpoint with different rules: the path's rule wins.
RULES_BY_PATH = {"/practitioner/note-templates/new": CLINICAL}
# Routes whose allowed roles also get 404 in this world (nothing to show); denied roles are still checked.
EMPTY_FOR_ALL = {
    "handouts.logo": "no logo uploaded",
    "payments.pay_with_test_card": "only with a loopback Stripe",
    "packages.pay_instalment_with_test_card": "only with a loopback Stripe",
}

OVERRIDES = {"questionnaires.change_question": {"change": "up"}}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


@dataclass
class World:
    people: dict[str, User]
    values: dict[str, object]


@pytest.fixture
def world(app, make_user) -> World:
    owner = make_user(Role.PRACTITIONER, email="owner@example.com", name="Olive Owner")  # the first: the owner
    on = make_user(Role.PRACTITIONER, email="ana@example.com", name="Ana On")
    off = make_user(Role.PRACTITIONER, email="bea@example.com", name="Bea Off")
    spare = make_user(Role.PRACTITIONER, email="cat@example.com", name="Cat Spare")  # the team routes act on her
    assistant = make_user(Role.ASSISTANT, email="desk@example.com", name="Dee Desk")
    x = make_user(Role.CLIENT, email="xena@example.com", name="Xena Client")
    y = make_user(Role.CLIENT, email="yara@example.com", name="Yara Client")
    assert owner.is_owner and on.role == Role.PRACTITIONER
    service = settings.save_service(
        None, on, name="Follow-up", description="", duration_minutes=45, price_minor=8500, currency="GBP", active=True
    )
    off_service = settings.save_service(
        None, off, name="Consult", description="", duration_minutes=45, price_minor=0, currency="GBP", active=True
    )
    hours = None
    for weekday in range(7):
        hours = settings.add_working_range(on, weekday, time(0), time(0))
        settings.add_working_range(off, weekday, time(0), time(0))
    time_off = settings.add_time_off(on, date.today() + timedelta(days=300), None, "")
    db.session.commit()
    now = utcnow()
    start = bookings.load_availability(on.id, now).free(timedelta(minutes=45), now)[0]
    booking = lifecycle.book(x, service, start, needs_payment=False)
    off_start = bookings.load_availability(off.id, now).free(timedelta(minutes=45), now)[0]
    lifecycle.book(y, off_service, off_start, needs_payment=False)
    payment = ledger.record_manual_payment(booking, 8500, PaymentMethod.CASH, "", on)
    templates.ensure_shipped(on)
    template = templates.templates_of(on.id)[0]
    note = notes.start_note(x, on, template, booking=booking, context="", title="Session")
    notes.save_draft(note, note.revision, note.title, ["Seen.", "", "", ""])
    notes.sign_note(note, note.revision, on)  # signed: open, amend, and autosave refused with 409
    item = protocols.save_item(None, on, protocols.ItemText(category="supplement", title="Magnesium"))
    questionnaire = custom.create_questionnaire(on, "Sleep check")
    custom.add_item(questionnaire, text="How well did you sleep?", kind="scale_0_10")
    code = responses.sendable_codes(on.id)[0]
    assignment = responses.assign(x, code, None, date.today(), on)
    response = responses.draft_for(assignment)
    handout = handouts.publish_handout(booking)
    consent = publish_document(owner, "consent", "I agree to care.")
    signature = sign_as(x, consent)
    photo = clean_upload("photo.png", _png())
    message = conversations.send_message(x, x, "Between sessions", [photo])
    reply = conversations.add_saved_reply(on, "Timing", "With food.")
    own_tag = tags.add_tag("Red wine", "food", on)
    day = date.today()
    meal = meals.MealInput(None, "lunch", "Soup", frozenset({"gluten"}), photos.clean_photo(_png()))
    none = dict(intensity=None, headache_minutes=None, bloating=None, abdominal_pain=None)
    entry = meals.save_day(
        x, day, day, meals.DayJournal(meals=(meal,)), headache="none", medication=set(), stool_types=[], note="", **none
    )
    saved = meals.saved_day(entry)
    undelivered = OutboxMessage(
        status=OutboxStatus.DEAD.value,
        message_id="<undelivered@portal.local>",
        template="booking_confirmed",
        recipient_id=x.id,
        raw=b"Subject: Your session is booked\r\n\r\nHello",
        attempts=8,
        created_at=now - timedelta(hours=1),
    )
    db.session.add(undelivered)
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    challenge = Challenge(
        client_id=x.id,
        practitioner_id=on.id,
        tag_id=dairy.id,
        title="dairy",
        eliminate_days=21,
        reintroduce_days=3,
        watch_days=4,
        starts_on=date.today() - timedelta(days=2),
        status="active",
        conclusion="",
    )
    db.session.add(challenge)
    db.session.commit()
    package = seed_demo_package(on, x, service, ledger.package_paid_by_hand(PaymentMethod.CASH, "", on))
    key = questionnaire.draft_items[0]["key"]
    return World(
        people={"client": x, "practitioner_on": on, "practitioner_off": off, "assistant": assistant, "owner": owner},
        values={
            "client_id": x.id,
            "booking_id": booking.id,
            "service_id": service.id,
            "payment_id": payment.id,
            "note_id": note.id,
            "template_id": template.id,
            "item_id": item.id,
            "questionnaire_id": questionnaire.id,
            "key": key,
            "change": "publish",
            "assignment_id": assignment.id,
            "response_id": response.id,
            "step": 1,
            "handout_id": handout.id,
            "hours_id": hours.id,
            "time_off_id": time_off.id,
            "user_id": spare.id,
            "practitioner_id": spare.id,
            "message_id": undelivered.id,
            "document_id": consent.document_id,
            "signature_id": signature.id,
            "attachment_id": db.session.execute(
                db.select(MessageAttachment.id).filter_by(message_id=message.id)
            ).scalar_one(),
            "reply_id": reply.id,
            "version_id": package.version.id,
            "code_id": package.code.id,
            "purchase_id": package.purchase.id,
            "instalment_id": db.session.execute(
                db.select(PackageInstalment.id).filter_by(purchase_id=package.purchase.id, number=2)
            ).scalar_one(),
            "challenge_id": challenge.id,
            "photo_id": saved.photo_ids[saved.meals[0].id],
            "tag_id": own_tag.id,
        },
    )


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        yield rule


def test_every_route_is_classified(app):
    missing = sorted({rule.endpoint for rule in _routes(app)} - set(RULES))
    assert missing == [], f"classify these routes in RULES (or SKIPPED, with a reason): {missing}"
    assert not set(RULES) - {rule.endpoint for rule in app.url_map.iter_rules()}, "a rule for a route that is gone"


def _allowed(response) -> bool:
    location = response.headers.get("Location", "")
    return response.status_code != 404 and location.split("?")[0] != "/account/login"  # sent to log in


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_routes_its_rule_allows(app, world, role):
    browser = app.test_client()
    if role != "visitor":
        assert log_in(browser, world.people[role].email).status_code == 302
    token = csrf_token_from(
        browser.get("/account/login" if role == "visitor" else "/account/reset").get_data(as_text=True)
    )
    wrong = []
    for rule in sorted(_routes(app), key=lambda r: r.rule):
        values = {**world.values, **OVERRIDES.get(rule.endpoint, {})}
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        response = browser.get(url) if "GET" in rule.methods else browser.post(url, data={"csrf_token": token})
        assert response.status_code < 500, (rule.endpoint, url, response.status_code)
        expected = role in RULES_BY_PATH.get(rule.rule, RULES[rule.endpoint])
        if expected and rule.endpoint in EMPTY_FOR_ALL and response.status_code == 404:
            continue
        if _allowed(response) != expected:
            wrong.append((rule.endpoint, url, response.status_code))
        elif not expected and role == "visitor":
            assert response.status_code == 302, (rule.endpoint, response.status_code)
        elif not expected:
            assert response.status_code == 404, (rule.endpoint, response.status_code)
    assert wrong == [], f"{role}: these answered against their rule: {wrong}"
