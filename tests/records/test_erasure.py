"""Erasure: every table with her rows is emptied of them, except the kept ones, which lose their free text."""

import pytest
from sqlalchemy import text

from portal import audit
from portal.accounts import users
from portal.extensions import db
from portal.models import ConsentSignature, ConsentVersion, Payment, Refund, Role, User, UserSession
from portal.records import erasure
from portal.records.ownership import owned_tables
from tests.conftest import TEST_PASSWORD, log_in
from tests.consent.conftest import CONSENT_TEXT, publish_document, sign_as
from tests.records.conftest import PAYMENT_NOTE, publish_a_handout


def test_erasure_removes_every_non_kept_row_and_keeps_the_payments(app, clara, make_user):
    publish_a_handout(clara)
    other = make_user(Role.CLIENT)
    from portal.records import profiles

    profiles.save_profile(other.id, other.id, {"goals": "Someone else's"}, 0)
    practitioner = db.session.get(User, clara.booking.practitioner_id)  # publish_a_handout emptied the session
    version = publish_document(practitioner, "consent", CONSENT_TEXT)
    sign_as(clara.client, version)
    sign_as(other, version)
    db.session.commit()
    client_id, payment_id = clara.client.id, clara.payment.id
    removed = erasure.erase_client(clara.client)
    db.session.commit()
    assert removed["diary_entries"] == 1 and removed["client_profiles"] == 1
    assert removed["handouts"] == 1 and removed["protocols"] == 1  # the PDF itself went through the storage
    assert removed["consent_signatures"] == 1  # hers; the practice's documents and the other client's stay
    assert db.session.scalar(db.select(db.func.count()).select_from(ConsentSignature)) == 1
    assert db.session.get(ConsentVersion, version.id).text == CONSENT_TEXT
    for item in owned_tables(client_id):
        count = db.session.execute(db.select(db.func.count()).select_from(item.table).where(item.condition)).scalar()
        if item.table.name in erasure.KEPT_TABLES:
            continue
        assert count == 0, item.table.name
    payment = db.session.get(Payment, payment_id)
    assert (payment.amount_minor, payment.refunded_minor, payment.note) == (8500, 1000, "")
    assert db.session.execute(db.select(Refund.reason)).scalar_one() == ""
    assert profiles.profile_for(other.id).goals == "Someone else's"


def test_the_account_is_anonymised_cannot_log_in_and_every_session_ends(app, clara):
    browser = app.test_client()
    log_in(browser, "clara@example.com")
    assert browser.get("/me/").status_code == 200
    erasure.erase_client(clara.client)
    db.session.commit()
    user = db.session.get(User, clara.client.id)
    assert user.name == erasure.ERASED_NAME and "clara" not in user.email
    assert users.authenticate("clara@example.com", TEST_PASSWORD) is None
    assert users.authenticate(user.email, TEST_PASSWORD) is None
    assert db.session.execute(db.select(UserSession).filter_by(user_id=user.id)).first() is None
    assert browser.get("/me/").status_code == 302


def test_no_plaintext_or_name_remains_in_kept_rows(app, clara):
    erasure.erase_client(clara.client)
    db.session.commit()
    for table in ("payments", "refunds", "booking_events", "bookings"):
        dump = str(db.session.execute(text(f"SELECT * FROM {table}")).all())
        assert PAYMENT_NOTE not in dump and "Flare-up" not in dump and "Clara" not in dump


def test_the_audit_trail_survives_and_records_the_erasure(app, clara):
    client_id = clara.client.id
    erasure.erase_client(clara.client)
    db.session.commit()
    actions = [e.action for e in audit.events_for_client(client_id)]
    assert actions[0] == "erase" and "view" in actions


def test_only_a_client_can_be_erased(app, practice):
    with pytest.raises(erasure.NotAClient):
        erasure.erase_client(practice.practitioner)


def test_the_confirmation_is_her_email_in_any_case(app, clara):
    assert erasure.confirmation_matches(clara.client, "  Clara@Example.com ")
    assert not erasure.confirmation_matches(clara.client, "clara@example.co")


def test_erasure_removes_her_conversation_messages_and_files(app, clara, make_user):
    from portal.messages import conversations
    from portal.messages.attachments import clean_upload
    from portal.models import Conversation, Message, MessageAttachment

    pdf = b"%PDF-1.4\nresults\n%%EOF\n"
    conversations.send_message(clara.client, clara.client, "Results attached", [clean_upload("results.pdf", pdf)])
    other = make_user(Role.CLIENT)
    conversations.send_message(other, other, "Someone else's", [])
    removed = erasure.erase_client(clara.client)
    db.session.commit()
    assert (removed["conversations"], removed["messages"], removed["message_attachments"]) == (1, 1, 1)
    assert db.session.execute(db.select(Message.body)).scalars().all() == ["Someone else's"]
    assert db.session.scalar(db.select(db.func.count(MessageAttachment.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Conversation.id))) == 1


def test_erasure_removes_her_meals_tags_photos_and_supplement_ticks_but_not_the_trigger_list(app, clara, make_user):
    from portal.models import DiaryDayTag, DiaryMeal, DiaryMealPhoto, DiaryMealTag, TriggerTag
    from tests.records.conftest import add_a_meal

    add_a_meal(clara.client)
    add_a_meal(make_user(Role.CLIENT))  # another client's day stays
    tags_before = db.session.scalar(db.select(db.func.count()).select_from(TriggerTag))
    removed = erasure.erase_client(clara.client)
    db.session.commit()
    assert (removed["diary_meals"], removed["diary_meal_photos"], removed["diary_meal_tags"]) == (1, 1, 2)
    assert removed["diary_day_tags"] == 1
    for model, left in ((DiaryMeal, 1), (DiaryMealPhoto, 1), (DiaryMealTag, 2), (DiaryDayTag, 1)):
        assert db.session.scalar(db.select(db.func.count()).select_from(model)) == left
    assert db.session.scalar(db.select(db.func.count()).select_from(TriggerTag)) == tags_before
