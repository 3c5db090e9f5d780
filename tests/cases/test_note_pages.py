"""Writing notes through the pages: start from a session, autosave (JSON), two tabs, sign, amend."""

from __future__ import annotations

from datetime import timedelta

from portal.cases import notes, templates
from portal.extensions import db
from portal.models import AuditEvent, Note
from tests.cases.conftest import form_token
from tests.conftest import TEST_PASSWORD

TEXTS = ["Migraines twice a week.", "HIT-6 58.", "Gut first.", "Magnesium glycinate 300 mg at night."]


def note_data(token: str, revision: int, texts=TEXTS, title="Initial consultation", **extra) -> dict:
    data = {"csrf_token": token, "revision": revision, "title": title, **extra}
    data.update({f"sections-{n}": text for n, text in enumerate(texts)})
    return data


def test_a_note_started_from_a_session_opens_with_the_latest_figures(
    maya_browser, maya, sophie, template, make_booking, make_response
):
    booking = make_booking(sophie, in_days=-1, status="completed")
    make_response(sophie, "hit6", total=58)
    url = f"/practitioner/clients/{sophie.id}/notes/new?booking={booking.id}"
    page = maya_browser.get(url).get_data(as_text=True)
    assert f'<option selected value="{booking.id}">' in page
    response = maya_browser.post(
        url, data={"csrf_token": form_token(maya_browser, url), "template_id": template.id, "booking_id": booking.id}
    )
    note = db.session.execute(db.select(Note)).scalar_one()
    assert response.status_code == 302 and response.location.endswith(f"/practitioner/notes/{note.id}")
    assert note.booking_id == booking.id and note.title.startswith(template.name + " · ")
    page = maya_browser.get(response.location).get_data(as_text=True)
    assert "HIT-6 58 (substantial impact)" in page and "Subjective" in page and 'data-autosave="' in page


def test_a_session_of_another_client_is_refused(maya_browser, maya, sophie, template, make_user, make_booking):
    other = make_user()
    booking = make_booking(other, in_days=-1, status="completed")
    url = f"/practitioner/clients/{sophie.id}/notes/new"
    response = maya_browser.post(
        url, data={"csrf_token": form_token(maya_browser, url), "template_id": template.id, "booking_id": booking.id}
    )
    assert response.status_code == 422 and db.session.execute(db.select(Note)).first() is None


def test_autosave_answers_json_with_the_new_revision(maya_browser, draft):
    url = f"/practitioner/notes/{draft.id}"
    token = form_token(maya_browser, url)
    response = maya_browser.post(url + "/autosave", data=note_data(token, 1))
    assert response.status_code == 200 and response.json["ok"] and response.json["revision"] == 2
    response = maya_browser.post(url + "/autosave", data=note_data(token, 2, [t + " More." for t in TEXTS]))
    assert response.json["revision"] == 3
    assert (
        notes.sections_of(db.session.get(Note, draft.id, populate_existing=True))[0]["text"]
        == "Migraines twice a week. More."
    )


def test_two_tabs_the_older_one_is_told_and_nothing_is_overwritten(maya_browser, draft):
    url = f"/practitioner/notes/{draft.id}"
    tab_one, tab_two = form_token(maya_browser, url), form_token(maya_browser, url)  # both opened revision 1
    assert maya_browser.post(url + "/autosave", data=note_data(tab_one, 1, title="Tab one")).status_code == 200
    refused = maya_browser.post(url + "/autosave", data=note_data(tab_two, 1, title="Tab two"))
    assert refused.status_code == 409 and refused.json["conflict"] is True
    assert "newer version" in refused.json["error"] and refused.json["revision"] == 2
    # The plain form (no script) is told too, and keeps what was typed in that tab.
    page = maya_browser.post(
        url, data=note_data(tab_two, 1, ["Typed in tab two", "", "", ""], title="Tab two", action="save")
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and "A newer version of this note was saved" in html
    assert "Typed in tab two" in html and "Open the newer version" in html
    assert db.session.get(Note, draft.id, populate_existing=True).title == "Tab one"


def test_save_then_sign_with_the_buttons(maya_browser, maya, draft):
    url = f"/practitioner/notes/{draft.id}"
    token = form_token(maya_browser, url)
    assert maya_browser.post(url, data=note_data(token, 1, action="save")).status_code == 302
    response = maya_browser.post(url, data=note_data(token, 2, [t + "!" for t in TEXTS], action="sign"))
    assert response.status_code == 302
    note = db.session.get(Note, draft.id, populate_existing=True)
    assert note.status == "signed" and note.signed_by_id == maya.id
    assert notes.sections_of(note)[3]["text"] == TEXTS[3] + "!"  # what she typed last is what was signed
    page = maya_browser.get(url).get_data(as_text=True)
    assert note.content_hash in page and "Signed by Maya Practitioner" in page and "fingerprint matches" in page
    assert "<textarea" in page  # only the amendment form: the note is shown as text
    assert 'name="sections-0"' not in page


def test_a_signed_note_refuses_edits_and_autosaves(maya_browser, signed):
    url = f"/practitioner/notes/{signed.id}"
    token = form_token(maya_browser, url)
    response = maya_browser.post(url, data=note_data(token, signed.revision, ["Changed", "", "", ""], action="save"))
    assert response.status_code == 302
    assert "signed and locked" in maya_browser.get(url).get_data(as_text=True)
    autosave = maya_browser.post(url + "/autosave", data=note_data(token, signed.revision, ["Changed", "", "", ""]))
    assert autosave.status_code == 409 and autosave.json["conflict"] is True
    assert notes.sections_of(db.session.get(Note, signed.id, populate_existing=True))[0]["text"] != "Changed"


def test_amending_through_the_page_shows_the_original_and_the_history(maya_browser, signed):
    url = f"/practitioner/notes/{signed.id}"
    token = form_token(maya_browser, url)
    for reason, text in [("Ferritin came back", "Ferritin 18 ug/L."), ("Dose corrected", "Magnesium 200 mg.")]:
        response = maya_browser.post(url + "/amendments", data={"csrf_token": token, "reason": reason, "text": text})
        assert response.status_code == 302
    page = maya_browser.get(url).get_data(as_text=True)
    assert "Migraines twice a week." in page  # the original
    assert (
        page.index("Amendment 1")
        < page.index("Ferritin 18 ug/L.")
        < page.index("Amendment 2")
        < page.index("Magnesium 200 mg.")
    )
    assert "Reason: Dose corrected" in page


def test_an_amendment_without_reason_is_shown_again_with_the_text_kept(maya_browser, signed):
    url = f"/practitioner/notes/{signed.id}"
    response = maya_browser.post(
        url + "/amendments", data={"csrf_token": form_token(maya_browser, url), "reason": "", "text": "Keep this text"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Say why you are amending the note." in html and "Keep this text" in html


def test_autosave_without_a_csrf_token_is_refused(maya_browser, draft):
    response = maya_browser.post(f"/practitioner/notes/{draft.id}/autosave", data=note_data("forged", 1))
    assert response.status_code == 400
    assert db.session.get(Note, draft.id, populate_existing=True).revision == 1


def test_too_long_text_is_refused_with_a_message_beside_the_section(maya_browser, draft):
    url = f"/practitioner/notes/{draft.id}"
    response = maya_browser.post(
        url, data=note_data(form_token(maya_browser, url), 1, ["x" * 20_001, "", "", ""], action="save")
    )
    assert response.status_code == 422 and "Use at most 20,000 characters." in response.get_data(as_text=True)
    autosave = maya_browser.post(
        url + "/autosave", data=note_data(form_token(maya_browser, url), 1, ["x" * 20_001, "", "", ""])
    )
    assert autosave.status_code == 422 and "20,000" in autosave.json["error"]


def test_opening_a_note_and_the_case_file_is_audited(maya_browser, maya, sophie, signed):
    maya_browser.get(f"/practitioner/notes/{signed.id}")
    maya_browser.get(f"/practitioner/clients/{sophie.id}")
    views = db.session.execute(
        db.select(AuditEvent.what, AuditEvent.what_id, AuditEvent.actor_id, AuditEvent.client_id)
        .filter_by(action="view")
        .order_by(AuditEvent.id)
    ).all()
    assert views == [("note", signed.id, maya.id, sophie.id), ("case_file", sophie.id, maya.id, sophie.id)]


def test_templates_are_edited_and_added_without_touching_started_notes(maya_browser, maya, draft, template):
    url = f"/practitioner/note-templates/{template.id}"
    data = {
        "csrf_token": form_token(maya_browser, url),
        "name": "Initial · migraine (mine)",
        "sections-0-title": "Her story",
        "sections-0-prompt": "In her words.",
        "sections-1-title": "",
        "sections-1-prompt": "",
        "sections-2-title": "Plan",
        "sections-2-prompt": "",
    }
    assert maya_browser.post(url, data=data).status_code == 302
    db.session.refresh(template)
    assert template.name == "Initial · migraine (mine)"
    assert template.sections == [{"title": "Her story", "prompt": "In her words."}, {"title": "Plan", "prompt": ""}]
    assert [s["title"] for s in notes.sections_of(db.session.get(Note, draft.id))][0] == "Subjective"
    new = "/practitioner/note-templates/new"
    response = maya_browser.post(
        new,
        data={
            "csrf_token": form_token(maya_browser, new),
            "name": "Discovery call",
            "sections-0-title": "What brings her",
            "sections-0-prompt": "",
        },
    )
    assert response.status_code == 302
    assert "Discovery call" in maya_browser.get("/practitioner/note-templates").get_data(as_text=True)


def test_a_template_needs_a_section_and_titles(maya_browser, template):
    url = f"/practitioner/note-templates/{template.id}"
    token = form_token(maya_browser, url)
    response = maya_browser.post(url, data={"csrf_token": token, "name": "Empty"})
    assert response.status_code == 422 and "at least one section" in response.get_data(as_text=True)
    response = maya_browser.post(url, data={"csrf_token": token, "name": "No title", "sections-0-prompt": "A prompt"})
    assert response.status_code == 422 and "needs a title" in response.get_data(as_text=True)
    assert "A prompt" in response.get_data(as_text=True)


def test_archived_templates_are_not_offered_for_new_notes(maya_browser, maya, sophie, template):
    url = f"/practitioner/note-templates/{template.id}"
    data = {
        "csrf_token": form_token(maya_browser, url),
        "name": template.name,
        "archived": "y",
        **{f"sections-{n}-{k}": s[k] for n, s in enumerate(template.sections) for k in ("title", "prompt")},
    }
    assert maya_browser.post(url, data=data).status_code == 302
    page = maya_browser.get(f"/practitioner/clients/{sophie.id}/notes/new").get_data(as_text=True)
    assert f'value="{template.id}"' not in page


def test_signing_an_empty_note_is_refused_and_the_page_can_still_save(maya_browser, draft):
    url = f"/practitioner/notes/{draft.id}"
    token = form_token(maya_browser, url)
    refused = maya_browser.post(url, data=note_data(token, 1, ["", "", "", ""], title="Renamed", action="sign"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Write something in the note before you sign it." in html
    assert 'name="revision" type="hidden" value="2"' in html  # the save went through; the page knows it
    assert maya_browser.post(url, data=note_data(token, 2, action="save")).status_code == 302


def test_a_note_from_a_follow_up_session_suggests_a_follow_up_template(
    maya_browser, maya, sophie, template, make_booking
):
    booking = make_booking(sophie, in_days=-1, status="completed")  # the "Follow-up" service
    page = maya_browser.get(f"/practitioner/clients/{sophie.id}/notes/new?booking={booking.id}").get_data(as_text=True)
    follow_up = next(t for t in templates.templates_of(maya.id) if t.name == "Follow-up · migraine")
    assert f'<option selected value="{follow_up.id}">Follow-up · migraine</option>' in page


def _idle_for(minutes: int) -> None:
    """Every open session was last seen this long ago (as if she had walked away)."""
    from portal.db_types import utcnow
    from portal.models import UserSession

    db.session.execute(db.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes)))
    db.session.commit()


def test_an_autosave_after_the_idle_timeout_gets_401_and_the_draft_loses_nothing(maya_browser, maya, draft):
    url = f"/practitioner/notes/{draft.id}"
    token = form_token(maya_browser, url)
    assert maya_browser.post(url + "/autosave", data=note_data(token, 1)).json["revision"] == 2
    _idle_for(31)
    later = [t + " Typed after the break." for t in TEXTS]
    refused = maya_browser.post(
        url + "/autosave", data=note_data(token, 2, later), headers={"Accept": "application/json"}
    )
    assert refused.status_code == 401 and refused.json["logged_out"] is True and refused.json["ok"] is False
    assert "logged out after 30 minutes without activity" in refused.json["error"]
    saved = db.session.get(Note, draft.id, populate_existing=True)
    assert saved.revision == 2 and notes.sections_of(saved)[0]["text"] == TEXTS[0]  # the autosaved draft is intact

    # She logs in again in another tab; the page she kept open saves what it still holds, with its own token.
    assert (
        maya_browser.post(
            "/account/login", data={"csrf_token": token, "email": maya.email, "password": TEST_PASSWORD}
        ).status_code
        == 302
    )
    again = maya_browser.post(
        url + "/autosave", data=note_data(token, 2, later), headers={"Accept": "application/json"}
    )
    assert again.status_code == 200 and again.json["revision"] == 3
    saved = db.session.get(Note, draft.id, populate_existing=True)
    assert notes.sections_of(saved)[0]["text"] == later[0]


def test_autosaving_counts_as_activity(maya_browser, draft):
    url = f"/practitioner/notes/{draft.id}"
    token = form_token(maya_browser, url)
    revision = 1
    for _ in range(3):  # 3 x 25 minutes of only typing: well past the idle timeout in all
        _idle_for(25)
        response = maya_browser.post(url + "/autosave", data=note_data(token, revision))
        assert response.status_code == 200
        revision = response.json["revision"]
    assert maya_browser.get(url).status_code == 200
