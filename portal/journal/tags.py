"""The practice's trigger list: the built-in tags and the practitioner's own, grouped as the diary shows them.

A tag is never deleted: once a day or a meal carries it, removing it would change what her diary says. An
own tag the practice no longer wants is archived: it leaves the diary form and stays on the days that hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal import audit
from portal.db_types import utcnow
from portal.extensions import db
from portal.models import TagGroup, TriggerTag, User
from portal.models.journal import TAG_LABEL_MAX

GROUP_TITLES = {TagGroup.FOOD: "Foods", TagGroup.FODMAP: "FODMAP groups", TagGroup.HABIT: "Habits"}
OWN_GROUPS = (TagGroup.FOOD, TagGroup.FODMAP, TagGroup.HABIT)
MAX_OWN_TAGS = 60


class TagError(ValueError):
    """A tag that can't be added or changed; str() says why."""


@dataclass(frozen=True)
class TagGroupList:
    group: str
    title: str
    tags: list[TriggerTag]


def all_tags(include_archived: bool = False) -> list[TriggerTag]:
    query = db.select(TriggerTag).order_by(TriggerTag.position, TriggerTag.id)
    if not include_archived:
        query = query.filter(TriggerTag.archived_at.is_(None))
    return list(db.session.execute(query).scalars())


def grouped(tags: list[TriggerTag]) -> list[TagGroupList]:
    """The tags in the diary's order: Foods, FODMAP groups, Habits (empty groups left out)."""
    found = [TagGroupList(g.value, GROUP_TITLES[g], [t for t in tags if t.tag_group == g]) for g in GROUP_TITLES]
    return [g for g in found if g.tags]


def _clean_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise TagError("Give the tag a name, e.g. “Red wine”.")
    if len(label) > TAG_LABEL_MAX:
        raise TagError(f"Use at most {TAG_LABEL_MAX} characters.")
    return label


def _label_taken(label: str, other_than: int | None = None) -> bool:
    return any(t.label.casefold() == label.casefold() and t.id != other_than for t in all_tags())


def add_tag(label: str, group: str, by: User) -> TriggerTag:
    """Her own tag, after the built-in ones; its code is "own_<id>", never reused."""
    label = _clean_label(label)
    if group not in {g.value for g in OWN_GROUPS}:
        raise TagError("Choose where the tag belongs: foods, FODMAP groups or habits.")
    if _label_taken(label):
        raise TagError(f"“{label}” is already on the list.")
    own = db.session.execute(db.select(db.func.count()).filter(TriggerTag.builtin.is_(False))).scalar_one()
    if own >= MAX_OWN_TAGS:
        raise TagError(f"The list holds at most {MAX_OWN_TAGS} tags of your own; archive one you no longer use.")
    last = db.session.execute(db.select(db.func.max(TriggerTag.position))).scalar_one() or 0
    tag = TriggerTag(
        code="own_new", label=label, tag_group=group, position=last + 1, builtin=False, created_by_id=by.id
    )
    db.session.add(tag)
    db.session.flush()
    tag.code = f"own_{tag.id}"
    audit.record("create", None, "trigger_tag", tag.id)
    db.session.commit()
    return tag


def rename_tag(tag: TriggerTag, label: str) -> TriggerTag:
    """A new name for one of her own tags; days carrying it show the new name (the tag is the same)."""
    if tag.builtin:
        raise TagError("The practice's built-in tags keep their names.")
    label = _clean_label(label)
    if _label_taken(label, other_than=tag.id):
        raise TagError(f"“{label}” is already on the list.")
    tag.label = label
    audit.record("change", None, "trigger_tag", tag.id)
    db.session.commit()
    return tag


def set_archived(tag: TriggerTag, archived: bool) -> TriggerTag:
    """Take one of her own tags off the diary form (or put it back); days that carry it keep it."""
    if tag.builtin:
        raise TagError("The practice's built-in tags stay on the list.")
    tag.archived_at = utcnow() if archived else None
    audit.record("change", None, "trigger_tag", tag.id)
    db.session.commit()
    return tag
