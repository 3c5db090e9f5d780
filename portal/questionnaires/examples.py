"""Demo progress for `flask seed-demo`: twelve weeks of a client's diary in which bad gut days are often
followed by a migraine, her HIT-6 and IBS-SSS scores over those weeks, and an intake set of questionnaires that
have their words (PHQ-9, the migraine screener and the practitioner's own check-in: a licensed one would wait
for its wording). Scores go through the real scoring, so the demo shows what a practice would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from portal.extensions import db
from portal.models import BookingRules, DiaryEntry, QuestionnaireResponse, ResponseStatus, User
from portal.questionnaires import custom, diary_entries
from portal.questionnaires.scoring import score

DIARY_DAYS = 84
DEMO_INTAKE = ["phq9", "id_migraine"]  # shipped with their wording, so the demo never sends "Question 1"
# HIT-6 answers (points of the six items) and IBS-SSS answers, every four weeks up to yesterday.
HIT6_ANSWERS = [(13, 13, 11, 11, 10, 8), (13, 11, 11, 10, 10, 8), (11, 11, 10, 10, 8, 8), (11, 10, 8, 8, 8, 8)]
IBS_SSS_ANSWERS = [(70, 6, 70, 70, 60), (60, 5, 60, 60, 50), (50, 4, 45, 50, 40), (35, 3, 30, 40, 30)]
NOTES = {
    3: "Cheese board and red wine at a birthday",
    11: "Skipped lunch, long day at work",
    17: "Slept five hours",
    26: "Pizza night",
    40: "Started magnesium",
    55: "Bread and pasta two days running",
}


def _day_of(n: int, today: date) -> dict:
    """Day n of the twelve weeks: a bad gut day every fifth day, a migraine on most days after one (fewer as
    the weeks go on), and the odd headache."""
    bad_gut = n % 5 == 0
    migraine = (n % 5 == 1 and (n < 56 or n % 10 == 1)) or n % 23 == 7
    headache = not migraine and n % 7 == 3
    return dict(
        headache="migraine" if migraine else "headache" if headache else "none",
        intensity=7 if migraine else 4 if headache else 0,
        headache_minutes=360 if migraine else 120 if headache else 0,
        medication={"triptan"} if migraine else {"simple"} if headache else set(),
        stool_types=[1, 2] if bad_gut and n % 2 else [6] if bad_gut else [4],
        bloating=7 if bad_gut else 2,
        abdominal_pain=5 if bad_gut else 1,
        note=NOTES.get(n, ""),
    )


def seed_demo_progress(practitioner: User, client: User, today: date) -> None:
    """Her diary and scores, unless she has a diary already; and the practitioner's own check-in."""
    if db.session.execute(db.select(DiaryEntry.id).filter_by(client_id=client.id).limit(1)).first() is None:
        first = today - timedelta(days=DIARY_DAYS - 1)
        for n in range(DIARY_DAYS):
            diary_entries.save_entry(client, first + timedelta(days=n), today, **_day_of(n, today))
        for week, (hit6, ibs) in enumerate(zip(HIT6_ANSWERS, IBS_SSS_ANSWERS, strict=True)):
            at = datetime.combine(today - timedelta(days=1 + 28 * (3 - week)), time(9), tzinfo=UTC)
            _submitted(client, "hit6", {str(k): v for k, v in enumerate(hit6, start=1)}, at)
            _submitted(
                client,
                "ibs_sss",
                {
                    "has_pain": True,
                    "pain_severity": ibs[0],
                    "pain_days": ibs[1],
                    "has_distension": True,
                    "distension_severity": ibs[2],
                    "bowel_dissatisfaction": ibs[3],
                    "life_interference": ibs[4],
                },
                at,
            )
        db.session.commit()
    if not custom.library(practitioner.id):
        check_in = custom.create_questionnaire(
            practitioner, "Weekly check-in", "Think about the past seven days.", sum_score=True
        )
        custom.add_item(check_in, text="How has your energy been?", kind="scale_0_10")
        custom.add_item(
            check_in,
            text="How often were you bloated after meals?",
            kind="single",
            options_text="Never = 0\nA few times = 1\nMost days = 2\nAfter every meal = 3",
        )
        custom.add_item(check_in, text="Anything you want me to know before we meet?", kind="long_text", required=False)
        custom.publish(check_in)
        rules = db.session.get(BookingRules, practitioner.id)
        if rules is not None and not rules.intake_codes:
            rules.intake_codes = [*DEMO_INTAKE, custom.code_of(check_in.id)]
            db.session.commit()


def _submitted(client: User, code: str, answers: dict, at: datetime) -> None:
    result = score(code, answers)
    db.session.add(
        QuestionnaireResponse(
            client_id=client.id,
            code=code,
            version="1",
            status=ResponseStatus.SUBMITTED,
            answers=answers,
            total=result.total,
            band=result.band,
            subscores=dict(result.subscores),
            flags=list(result.flags),
            started_at=at,
            submitted_at=at,
        )
    )
