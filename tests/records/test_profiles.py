"""The client's profile: saved with a history of what changed, refused when stale, encrypted at rest."""

import pytest
from sqlalchemy import text

from portal import audit
from portal.extensions import db
from portal.models import Role
from portal.records import profiles


def test_first_save_creates_the_profile_and_records_the_fields(app, client_user):
    change = profiles.save_profile(
        client_user.id, client_user.id, {"phone": "07700 900123", "goals": "Fewer migraines"}, 0
    )
    db.session.commit()
    profile = profiles.profile_for(client_user.id)
    assert (profile.phone, profile.goals, profile.version) == ("07700 900123", "Fewer migraines", 1)
    assert change.field_names == ["phone", "goals"]
    assert profiles.change_values(change) == {"phone": ("", "07700 900123"), "goals": ("", "Fewer migraines")}
    assert [(e.action, e.what) for e in audit.events_for_client(client_user.id)] == [("create", "profile")]


def test_a_later_save_lists_only_what_changed_newest_first(app, client_user, practitioner):
    profiles.save_profile(client_user.id, client_user.id, {"medication": "Sumatriptan 50 mg", "allergies": ""}, 0)
    profiles.save_profile(client_user.id, practitioner.id, {"medication": "Sumatriptan 100 mg", "allergies": ""}, 1)
    db.session.commit()
    newest, first = profiles.profile_changes(client_user.id)
    assert newest.field_names == ["medication"] and newest.actor.id == practitioner.id
    assert profiles.change_values(newest)["medication"] == ("Sumatriptan 50 mg", "Sumatriptan 100 mg")
    assert first.actor.id == client_user.id


def test_saving_the_same_values_records_nothing(app, client_user):
    profiles.save_profile(client_user.id, client_user.id, {"goals": "Sleep better"}, 0)
    assert profiles.save_profile(client_user.id, client_user.id, {"goals": "Sleep better  "}, 1) is None
    db.session.commit()
    assert len(profiles.profile_changes(client_user.id)) == 1


def test_a_save_from_an_older_form_is_refused(app, client_user):
    profiles.save_profile(client_user.id, client_user.id, {"goals": "A"}, 0)
    profiles.save_profile(client_user.id, client_user.id, {"goals": "B"}, 1)
    db.session.commit()
    with pytest.raises(profiles.StaleProfile):
        profiles.save_profile(client_user.id, client_user.id, {"goals": "C"}, 1)
    db.session.rollback()
    assert profiles.profile_for(client_user.id).goals == "B"


def test_two_first_saves_do_not_overwrite_each_other(app, client_user):
    profiles.save_profile(client_user.id, client_user.id, {"goals": "From the phone"}, 0)
    db.session.commit()
    with pytest.raises(profiles.StaleProfile):
        profiles.save_profile(client_user.id, client_user.id, {"goals": "From the laptop"}, 0)


def test_medical_fields_and_their_history_are_encrypted_but_contact_details_are_not(app, client_user):
    profiles.save_profile(
        client_user.id,
        client_user.id,
        {"phone": "07700 900123", "conditions": "Vestibular migraine", "gp_name": "Dr Okafor"},
        0,
    )
    db.session.commit()
    row = db.session.execute(text("SELECT phone, conditions, gp_name FROM client_profiles")).one()
    assert row.phone == "07700 900123"
    assert "Vestibular" not in row.conditions and "Okafor" not in row.gp_name
    history = db.session.execute(text("SELECT fields, changes FROM profile_changes")).one()
    assert history.fields == "phone,conditions,gp_name"
    assert "Vestibular" not in history.changes and "07700" not in history.changes


def test_unknown_fields_are_refused(app, client_user):
    with pytest.raises(ValueError):
        profiles.save_profile(client_user.id, client_user.id, {"password_hash": "x"}, 0)


def test_each_client_has_her_own_profile(app, make_user):
    ann, bea = make_user(Role.CLIENT), make_user(Role.CLIENT)
    profiles.save_profile(ann.id, ann.id, {"goals": "Ann's"}, 0)
    db.session.commit()
    assert profiles.profile_for(bea.id) is None and profiles.profile_changes(bea.id) == []


def test_the_demo_profile_is_seeded_once_with_a_later_change(app, client_user):
    from portal.records.examples import seed_demo_profile

    seed_demo_profile(client_user)
    seed_demo_profile(client_user)
    newest, first = profiles.profile_changes(client_user.id)
    assert newest.field_names == ["supplements"] and "gp_practice" in first.field_names
    assert "Riboflavin" in profiles.profile_for(client_user.id).supplements
