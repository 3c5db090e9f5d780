"""The practice's trigger list: built-in tags, and the practitioner's own added, renamed and archived."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.journal import tags
from portal.journal.tags import MAX_OWN_TAGS, TagError
from portal.models import AuditEvent, TriggerTag


def test_the_list_is_grouped_foods_fodmap_groups_habits(app):
    groups = tags.grouped(tags.all_tags())
    assert [g.title for g in groups] == ["Foods", "FODMAP groups", "Habits"]
    assert [t.code for t in groups[2].tags] == ["skipped_meal", "ate_late"]
    assert "aged_cheese" in [t.code for t in groups[0].tags] and "fructans" in [t.code for t in groups[1].tags]


def test_her_own_tag_comes_after_the_built_in_ones_with_its_own_code(practitioner):
    tag = tags.add_tag("  Red   wine ", "food", practitioner)
    assert (tag.label, tag.code, tag.builtin, tag.created_by_id) == (
        "Red wine",
        f"own_{tag.id}",
        False,
        practitioner.id,
    )
    assert tags.all_tags()[-1].id == tag.id
    assert db.session.execute(db.select(AuditEvent.what)).scalar_one() == "trigger_tag"


@pytest.mark.parametrize(
    ("label", "group", "message"),
    [
        ("", "food", "Give the tag a name"),
        ("   ", "food", "Give the tag a name"),
        ("x" * 61, "food", "at most 60"),
        ("aged CHEESE", "food", "already on the list"),
        ("Onion", "drinks", "Choose where"),
    ],
)
def test_a_bad_tag_is_refused(practitioner, label, group, message):
    with pytest.raises(TagError, match=message):
        tags.add_tag(label, group, practitioner)


def test_sixty_characters_are_taken(practitioner):
    assert len(tags.add_tag("x" * 60, "habit", practitioner).label) == 60


def test_the_list_holds_at_most_sixty_own_tags(practitioner):
    for n in range(MAX_OWN_TAGS):
        db.session.add(TriggerTag(code=f"own_t{n}", label=f"Tag {n}", tag_group="food", builtin=False))
    db.session.commit()
    with pytest.raises(TagError, match="at most 60"):
        tags.add_tag("One more", "food", practitioner)


def test_rename_and_archive_her_own_tag(practitioner):
    tag = tags.add_tag("Red wine", "food", practitioner)
    tags.rename_tag(tag, "Wine")
    tags.set_archived(tag, True)
    assert tag.label == "Wine" and tag.id not in [t.id for t in tags.all_tags()]
    tags.set_archived(tag, False)
    assert tag.id in [t.id for t in tags.all_tags()]


def test_a_rename_to_a_name_on_the_list_is_refused(practitioner):
    tag = tags.add_tag("Red wine", "food", practitioner)
    with pytest.raises(TagError, match="already on the list"):
        tags.rename_tag(tag, "Dairy")
    tags.rename_tag(tag, "RED WINE")  # its own name, in another case, is fine
    assert tag.label == "RED WINE"


def test_built_in_tags_keep_their_names_and_stay(practitioner):
    dairy = db.session.execute(db.select(TriggerTag).filter_by(code="dairy")).scalar_one()
    with pytest.raises(TagError):
        tags.rename_tag(dairy, "Milk")
    with pytest.raises(TagError):
        tags.set_archived(dairy, True)
