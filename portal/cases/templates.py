"""Note templates: the four shipped ones (initial consultation and follow-up, for migraine and for gut work),
and her own edits and additions. A template is named sections, each with a prompt in her own words."""

from __future__ import annotations

from dataclasses import dataclass

from portal.extensions import db
from portal.models import NoteTemplate, User

MAX_SECTIONS = 8
MAX_TITLE = 80
MAX_PROMPT = 600


@dataclass(frozen=True)
class Section:
    title: str
    prompt: str


def _soap(subjective: str, objective: str, assessment: str, plan: str) -> tuple[Section, ...]:
    return (
        Section("Subjective", subjective),
        Section("Objective", objective),
        Section("Assessment", assessment),
        Section("Plan", plan),
    )


SHIPPED: dict[str, tuple[str, tuple[Section, ...]]] = {
    "initial_migraine": (
        "Initial consultation · migraine",
        _soap(
            "Her story in her words: when the migraines started, how often, how long, where the pain sits, aura, "
            "what sets one off (food, sleep, stress, hormones, weather). What she takes for them and how often: "
            "triptans, painkillers, preventives. Her digestion too: bowel habits, bloating, reflux. Sleep, "
            "energy, mood, cycle. What she hopes to change first.",
            "What the diary and questionnaires show (the figures above), medication days per month, any test "
            "results she brought, weight and anything you noticed. Food diary highlights: meal timing, caffeine, "
            "alcohol, hydration.",
            "How it fits together: likely triggers, the gut-brain link for her (stool pattern, bloating, "
            "medication overuse, blood sugar swings), red flags to refer back to her GP.",
            "First steps for the next four weeks: diet changes, supplements with dose and timing, lifestyle "
            "(sleep, regular meals, water), tests to ask her GP for, questionnaires and diary to keep, and when "
            "we meet again.",
        ),
    ),
    "initial_gut": (
        "Initial consultation · gut",
        _soap(
            "Her story: which symptoms (bloating, pain, constipation, diarrhoea, urgency, reflux), since when, "
            "how often, what makes them better or worse. Foods she already avoids, past diagnoses (IBS, IBD, "
            "coeliac screening), antibiotics, painkillers, the pill. Headaches or migraines alongside. Stress, "
            "sleep, energy.",
            "Stool types on the Bristol scale and bloating from her diary, IBS-SSS or GSRS scores (above), any "
            "stool or blood tests she brought, what a typical day of eating looks like.",
            "What is driving it as far as we can tell: motility, microbiome, gut lining, food reactions, the "
            "stress and gut-brain link. Anything that needs her GP first (blood, weight loss, night symptoms).",
            "Her first protocol: diet steps, fibre and fluid, supplements with dose and timing, meal rhythm, "
            "stress and sleep, tests to ask for, what to track in the diary, and the follow-up date.",
        ),
    ),
    "follow_up_migraine": (
        "Follow-up · migraine",
        _soap(
            "How the last weeks went in her words: migraine days, how bad, how long, what helped, what she found "
            "hard in the protocol, side effects, digestion.",
            "Diary and scores since last time (above): migraine and headache days, medication days, any overuse, "
            "HIT-6 or MIDAS change, gut days before an attack.",
            "What is working and what is not; is she responding (half the migraine days or fewer)? Next "
            "hypothesis to test.",
            "What we keep, change or add: diet, supplements (dose, timing), lifestyle, tests, questionnaires to "
            "repeat, and the next session.",
        ),
    ),
    "follow_up_gut": (
        "Follow-up · gut",
        _soap(
            "How her gut has been since we last spoke: bloating, pain, stools, energy, how the food changes and "
            "supplements went, anything she reacted to.",
            "Bristol types and bloating from the diary, IBS-SSS or GSRS change (a drop of 50 points or more on "
            "IBS-SSS is meaningful), any test results.",
            "What the change tells us; next step for the gut lining, microbiome or food reintroduction; any "
            "migraine change alongside.",
            "Protocol changes with doses and timing, reintroductions to try, what to track, tests to ask her GP "
            "for, and the next session.",
        ),
    ),
}
DEFAULT_SECTIONS = _soap(
    "What she tells you.", "What you observe and measure.", "What you make of it.", "What happens next."
)


class TemplateError(ValueError):
    """A template that can't be saved; str() says why."""


def as_dicts(sections: tuple[Section, ...] | list[Section]) -> list[dict]:
    return [{"title": s.title, "prompt": s.prompt} for s in sections]


def ensure_shipped(practitioner: User) -> None:
    """Give her the shipped templates the first time she needs them (never again once she has any)."""
    has_any = db.session.execute(db.select(NoteTemplate.id).filter_by(practitioner_id=practitioner.id).limit(1)).first()
    if has_any is not None:
        return
    for position, (key, (name, sections)) in enumerate(SHIPPED.items()):
        db.session.add(
            NoteTemplate(
                practitioner_id=practitioner.id,
                name=name,
                sections=as_dicts(sections),
                shipped_key=key,
                position=position,
            )
        )
    db.session.commit()


def templates_of(practitioner_id: int, *, include_archived: bool = False) -> list[NoteTemplate]:
    query = db.select(NoteTemplate).filter_by(practitioner_id=practitioner_id)
    if not include_archived:
        query = query.filter(NoteTemplate.archived.is_(False))
    return list(
        db.session.execute(query.order_by(NoteTemplate.archived, NoteTemplate.position, NoteTemplate.id)).scalars()
    )


def template_of(practitioner_id: int, template_id: int) -> NoteTemplate | None:
    template = db.session.get(NoteTemplate, template_id)
    return template if template is not None and template.practitioner_id == practitioner_id else None


def suggested_for(templates: list[NoteTemplate], service_name: str) -> NoteTemplate | None:
    """The first template named after the session's service ("Follow-up" -> "Follow-up · migraine")."""
    wanted = service_name.strip().lower()
    return next((t for t in templates if wanted and t.name.lower().startswith(wanted)), None)


def clean_sections(sections: list[Section]) -> list[Section]:
    """Drop blank rows; refuse a template with no section, too many, or a prompt without a title."""
    kept = []
    for section in sections:
        title, prompt = section.title.strip(), section.prompt.strip()
        if not title and not prompt:
            continue
        if not title:
            raise TemplateError("Every section with a prompt needs a title.")
        if len(title) > MAX_TITLE or len(prompt) > MAX_PROMPT:
            raise TemplateError(f"Keep titles to {MAX_TITLE} and prompts to {MAX_PROMPT} characters.")
        kept.append(Section(title, prompt))
    if not kept:
        raise TemplateError("A template needs at least one section.")
    if len(kept) > MAX_SECTIONS:
        raise TemplateError(f"A template has at most {MAX_SECTIONS} sections.")
    return kept


def save_template(
    template: NoteTemplate | None, practitioner: User, *, name: str, sections: list[Section], archived: bool = False
) -> NoteTemplate:
    """Create or change one of her templates. Notes already started keep the sections they had."""
    name = name.strip()
    if not name or len(name) > 120:
        raise TemplateError("Give the template a name of up to 120 characters.")
    kept = clean_sections(sections)
    if template is None:
        last = db.session.execute(
            db.select(db.func.max(NoteTemplate.position)).filter_by(practitioner_id=practitioner.id)
        ).scalar()
        template = NoteTemplate(practitioner_id=practitioner.id, position=(last or 0) + 1)
        db.session.add(template)
    template.name, template.sections, template.archived = name, as_dicts(kept), archived
    db.session.commit()
    return template
